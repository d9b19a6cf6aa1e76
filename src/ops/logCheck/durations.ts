/** Human durations for command-line options: `500ms`, `30s`, `15m`, `2h`, `1d`; a bare number is milliseconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[(match[2] ?? 'ms').toLowerCase()]!;
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : null;
}

export interface Rate {
  count: number;
  windowMs: number;
}

/** `10/1m`: 10 events within one minute. */
export function parseRate(text: string): Rate | null {
  const [count, window, ...rest] = text.split('/');
  if (count === undefined || window === undefined || rest.length > 0 || !/^\s*\d+\s*$/.test(count)) return null;
  const windowMs = parseDuration(window);
  const n = Number(count);
  return windowMs !== null && n >= 1 ? { count: n, windowMs } : null;
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}
