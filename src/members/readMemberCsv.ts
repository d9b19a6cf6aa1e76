import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { isValidFid, isValidState } from '../game/playerIds.ts';
import type { NewMember } from '../store/types.ts';
import { cleanName } from './cleanName.ts';
import { csvProblem, csvProblemText, type CsvProblem } from './csvProblem.ts';
import { layoutFromHeader, MemberCsvError, POSITIONAL_LAYOUT, type MemberCsvLayout } from './memberCsvLayout.ts';

export { MemberCsvError } from './memberCsvLayout.ts';

export interface RejectedLine {
  line: number;
  text: string;
  /** Why, in English (the CLI prints it). */
  reason: string;
  /** Why, as a catalogue key (Discord says it in the admin's language). */
  problem: CsvProblem;
}

export interface MemberCsv {
  members: (Required<Pick<NewMember, 'fid' | 'state' | 'name'>> & {
    /** Only with an `alliance` column: the alliance named on the line, or null (the importer's choice then). */
    alliance?: string | null;
  })[];
  /** The first bad lines (REPORTED_REJECTS of them), with their numbers and reasons. */
  rejected: RejectedLine[];
  /** Every bad line, including those not listed in `rejected`. */
  rejectedCount: number;
  /** Header columns that are none of fid, state, name or alliance (ignored). */
  ignoredColumns: string[];
}

export interface MemberCsvOptions {
  /**
   * With an `alliance` column: why the alliance named on a line (null: the cell is empty) cannot take it, or null
   * when it can. A line it refuses is a bad line like any other, with its number.
   */
  allianceProblem?: (name: string | null) => CsvProblem | null;
}

/** How many bad lines are described; the rest are counted. A binary or foreign file must not print thousands. */
export const REPORTED_REJECTS = 20;
/** A roster line is short; a longer one means the file is not a roster (and must not fill memory). */
const MAX_LINE_CHARS = 10_000;
const SEPARATORS = [',', ';', '\t'];

/**
 * Reads a roster CSV as it streams in (a file, a download or a string): columns by header name in any order and any
 * case (`FID,Name,State`, and an optional `Alliance`), or fid,state,name when there is no header; comma, semicolon or tab separated; quoted
 * fields may hold separators, quotes and line breaks. Bad lines are reported with their number and reason, so an
 * admin can fix the file; a file that is not UTF-8 text at all is refused with a MemberCsvError.
 */
export async function readMemberCsv(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: MemberCsvOptions = {},
): Promise<MemberCsv> {
  const { delimiter, chunks } = await peekDelimiter(decodeUtf8(source));
  const result: MemberCsv = { members: [], rejected: [], rejectedCount: 0, ignoredColumns: [] };
  const reject = (line: number, text: string, problem: CsvProblem) => {
    result.rejectedCount += 1;
    if (result.rejected.length < REPORTED_REJECTS)
      result.rejected.push({ line, text: shorten(cleanName(text) ?? ''), reason: csvProblemText(problem), problem });
  };
  let lastLine = 0;
  let tooLong: number | null = null;
  let layout: MemberCsvLayout | null = null;
  const seen = new Map<string, number>();
  // Every line is judged as the parser reads it (on_record, on_skip), so reports come in line order.
  const onRecord = (record: string[], context: { lines: number }): null => {
    const line = context.lines - record.reduce((n, cell) => n + countNewlines(cell), 0);
    lastLine = context.lines;
    if (record.every((cell) => cell.trim() === '')) return null;
    if (layout === null) {
      layout = layoutFromHeader(record) ?? POSITIONAL_LAYOUT;
      result.ignoredColumns = layout.ignored;
      if (layout !== POSITIONAL_LAYOUT) return null;
    }
    const member = memberFrom(record, layout, delimiter);
    if (!isValidFid(member.fid))
      reject(line, record.join(delimiter), csvProblem('upload.csv.notAPlayerId', { cell: shown(member.fid) }));
    else if (member.state !== '' && !isValidState(member.state))
      reject(line, record.join(delimiter), csvProblem('upload.csv.notAState', { cell: shown(member.state) }));
    else if (seen.has(member.fid))
      reject(
        line,
        record.join(delimiter),
        csvProblem('upload.csv.duplicate', { fid: member.fid, line: seen.get(member.fid) ?? 0 }),
      );
    else if (layout.alliance !== null && options.allianceProblem?.(cleanName(member.alliance)))
      reject(line, record.join(delimiter), options.allianceProblem(cleanName(member.alliance))!);
    else {
      seen.set(member.fid, line);
      result.members.push({
        fid: member.fid,
        state: member.state === '' ? null : Number(member.state),
        name: cleanName(member.name),
        ...(layout.alliance !== null ? { alliance: cleanName(member.alliance) } : {}),
      });
    }
    return null;
  };
  const parser = parse({
    delimiter,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_LINE_CHARS,
    on_record: onRecord,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      // A too-long line ends the parse; anything else (a quote never closed) is one bad line.
      if (error?.code === 'CSV_MAX_RECORD_SIZE') tooLong = lastLine + 1;
      else if (error?.code === 'CSV_QUOTE_NOT_CLOSED')
        reject(lastLine + 1, '', csvProblem('upload.csv.quoteNotClosed'));
      else
        reject(
          lastLine + 1,
          '',
          csvProblem('upload.csv.unreadableLine', { detail: error?.message.split(':')[0] ?? 'unknown error' }),
        );
      return undefined;
    },
  });
  try {
    await pipeline(Readable.from(chunks), parser);
  } catch (error) {
    // The parser's own errors mean the text is not CSV; anything else (a failed read) is the caller's to word.
    if (error instanceof CsvError) throw MemberCsvError.of(csvProblem('upload.csv.notCsv', { detail: error.message }));
    throw error;
  }
  if (tooLong !== null)
    throw MemberCsvError.of(
      csvProblem('upload.csv.lineTooLong', { line: tooLong, max: MAX_LINE_CHARS.toLocaleString('en') }),
    );
  return result;
}

function memberFrom(
  record: readonly string[],
  layout: MemberCsvLayout,
  delimiter: string,
): { fid: string; state: string; name: string | null; alliance: string } {
  const cell = (index: number | null) => (index === null ? '' : unquote(record[index] ?? ''));
  // A name in the last column keeps any separators it holds unquoted ("Dan; the; semicolon").
  const nameSpills = layout.name !== null && layout.name === layout.width - 1 && record.length > layout.width;
  const name = nameSpills
    ? record.slice(layout.name!).join(delimiter)
    : layout.name === null
      ? null
      : cell(layout.name);
  return { fid: cell(layout.fid), state: cell(layout.state), name, alliance: cell(layout.alliance) };
}

/** A cell trimmed; a quoted one after a space (`1, "Eve ""E""", …`), which the parser keeps as it is, unquoted. */
function unquote(raw: string): string {
  const text = raw.trim();
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"')
    ? text.slice(1, -1).replaceAll('""', '"')
    : text;
}

/** UTF-8 text, chunk by chunk; a NUL byte or a byte sequence that is not UTF-8 refuses the whole file. */
async function* decodeUtf8(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  for await (const chunk of source) {
    let text: string;
    try {
      text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw MemberCsvError.of(csvProblem('upload.csv.binary'));
    }
    // TextDecoder drops a byte-order mark from bytes; a string may still start with one.
    if (first && text !== '') {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    if (text.includes('\0')) throw MemberCsvError.of(csvProblem('upload.csv.nulBytes'));
    if (text !== '') yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch {
    throw MemberCsvError.of(csvProblem('upload.csv.endsMidCharacter'));
  }
}

/**
 * The separator is the first comma, semicolon or tab outside quotes on the first line that is not blank or a comment
 * (a player id or a header word comes before it, and neither holds one). Reads only as far as that line.
 */
async function peekDelimiter(
  chunks: AsyncGenerator<string>,
): Promise<{ delimiter: string; chunks: AsyncIterable<string> }> {
  const head: string[] = [];
  let delimiter: string | null = null;
  let text = '';
  while (delimiter === null) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    text += next.value;
    delimiter = firstSeparator(text);
    if (text.length > MAX_LINE_CHARS) break;
  }
  async function* replay(): AsyncGenerator<string> {
    yield* head;
    yield* chunks;
  }
  return { delimiter: delimiter || ',', chunks: replay() };
}

/** The separator of the first meaningful line; '' when that line has none; null when the line is not complete yet. */
function firstSeparator(text: string): string | null {
  let quoted = false;
  let lineStart = true;
  let skipping = false;
  let meaningful = false;
  for (const ch of text) {
    if (skipping) {
      if (ch === '\n') {
        skipping = false;
        lineStart = true;
      }
      continue;
    }
    if (lineStart && ch === '#') {
      skipping = true;
      continue;
    }
    lineStart = false;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && SEPARATORS.includes(ch)) return ch;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (meaningful) return '';
      lineStart = true;
    } else if (ch.trim() !== '') meaningful = true;
  }
  return null;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A cell as quoted in a reason: printable and short (a report goes to a terminal or a Discord embed). */
function shown(cell: string): string {
  return shorten(cleanName(cell) ?? '', 40);
}
