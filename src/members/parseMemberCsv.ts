import { isValidFid, isValidState } from '../game/normalizeCode.ts';
import type { NewMember } from '../store/types.ts';

export interface RejectedLine {
  line: number;
  text: string;
  reason: string;
}

export interface ParsedMemberCsv {
  members: NewMember[];
  rejected: RejectedLine[];
}

/**
 * Reads a roster as CSV: `fid,state,name` (a header line is optional; state and name may be empty). Every bad line is
 * reported with its number and the reason, so an admin can fix the file and import it again.
 */
export function parseMemberCsv(content: string): ParsedMemberCsv {
  const members: NewMember[] = [];
  const rejected: RejectedLine[] = [];
  const seen = new Map<string, number>();
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  let sawData = false;
  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const text = rawLine.trim();
    if (text === '' || text.startsWith('#')) return;
    const [fidCell = '', stateCell = '', nameCell = ''] = splitCsvLine(text).map((cell) => cell.trim());
    // A header is allowed as the first line that is not blank or a comment (spreadsheets add their own).
    const firstData = !sawData;
    sawData = true;
    if (firstData && /^(fid|id|player)/i.test(fidCell)) return;
    const name = nameCell;
    if (!isValidFid(fidCell)) {
      rejected.push({ line: lineNo, text, reason: `"${fidCell}" is not a player id (digits only)` });
      return;
    }
    if (stateCell !== '' && !isValidState(stateCell)) {
      rejected.push({ line: lineNo, text, reason: `"${stateCell}" is not a state number` });
      return;
    }
    const firstLine = seen.get(fidCell);
    if (firstLine !== undefined) {
      rejected.push({ line: lineNo, text, reason: `player ${fidCell} is already on line ${firstLine}` });
      return;
    }
    seen.set(fidCell, lineNo);
    members.push({ fid: fidCell, state: stateCell === '' ? null : Number(stateCell), name: name === '' ? null : name });
  });
  return { members, rejected };
}

/**
 * Splits one CSV line into fid, state and name, honouring double quotes. The separator may be a comma, a semicolon
 * (spreadsheets in many locales) or a tab; an unquoted name keeps everything after the second separator as it is, so
 * a name with commas or semicolons survives.
 */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let at = 0;
  while (cells.length < 2) {
    const { value, end } = readCell(line, at);
    cells.push(value);
    if (end >= line.length) return cells;
    at = end + 1;
  }
  const rest = line.slice(at);
  cells.push(rest.trimStart().startsWith('"') ? readCell(rest.trimStart(), 0).value : rest);
  return cells;
}

const SEPARATOR = /[,;\t]/;

/** One cell from `start`: its value and the index of the separator after it (or the line's length). */
function readCell(line: string, start: number): { value: string; end: number } {
  let value = '';
  let quoted = false;
  let i = start;
  for (; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        value += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else value += ch;
    } else if (ch === '"') quoted = true;
    else if (SEPARATOR.test(ch)) break;
    else value += ch;
  }
  return { value, end: i };
}

export function formatMemberCsv(members: readonly { fid: string; state: number | null; name: string | null }[]): string {
  // Quoted whenever a reader could split it differently (separators, quotes, line breaks).
  const quote = (text: string) => (/[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return ['fid,state,name', ...members.map((m) => `${m.fid},${m.state ?? ''},${quote(m.name ?? '')}`)].join('\n') + '\n';
}
