/** One parsed pino JSON line, with the fields `logs check` reads pulled out and typed. */
export interface LogRecord {
  lineNo: number;
  /** The line as written, for evidence. */
  text: string;
  /** Epoch ms, or null when the line has no readable `time`. */
  time: number | null;
  level: string;
  event: string | null;
  pid: number | null;
  fields: Record<string, unknown>;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Evidence lines are shown in reports; a pathological line is cut rather than copied whole. */
const MAX_TEXT = 2_000;

/** Parses one line; null when it is not a JSON object (a pretty-printed line, a stray message, a torn write). */
export function parseLogLine(line: string, lineNo: number): LogRecord | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  return {
    lineNo,
    text: trimmed.length > MAX_TEXT ? `${trimmed.slice(0, MAX_TEXT)}…` : trimmed,
    time: parseTime(fields.time),
    level:
      typeof fields.level === 'number'
        ? (PINO_LEVELS[fields.level] ?? String(fields.level))
        : typeof fields.level === 'string'
          ? fields.level
          : 'info',
    event: typeof fields.event === 'string' && fields.event !== '' ? fields.event : null,
    pid: typeof fields.pid === 'number' ? fields.pid : null,
    fields,
  };
}

function parseTime(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

export function stringField(record: LogRecord, name: string): string | null {
  const value = record.fields[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

export function numberField(record: LogRecord, name: string): number | null {
  const value = record.fields[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
