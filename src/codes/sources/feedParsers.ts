import { normalizeCode, stripInvisible, type GiftCode } from '../../game/giftCode.ts';
import type { FeedFormat } from './feedSource.ts';

export interface ParsedFeed {
  /** Normalised codes, in feed order, each once. */
  codes: GiftCode[];
  /** Entries that are not a code (logged once as a warn line; the rest of the feed still counts). */
  skipped: { entry: string; reason: string }[];
}

/** The body as a whole is not what the feed's format promises: the poll fails, no code is taken from it. */
export class FeedFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

const DATE = /^\d{2}\.\d{2}\.\d{4}$/;

/** Reads one feed answer: `community` `{"codes":["CODE DD.MM.YYYY", …]}`, `list` `["CODE", …]`, `text` one code a line. */
export function parseFeedBody(format: FeedFormat, body: string): ParsedFeed {
  const out = new Collector();
  switch (format) {
    case 'community': {
      const json = parseJson(body);
      if (typeof json !== 'object' || json === null || Array.isArray(json))
        throw new FeedFormatError(`expected {"codes":[…]}, got ${describe(json)}`);
      const record = json as Record<string, unknown>;
      if (!Array.isArray(record.codes)) {
        const said = errorText(record);
        throw new FeedFormatError(
          said ? `the feed answered with an error: ${said}` : 'expected {"codes":[…]}, the "codes" list is missing',
        );
      }
      for (const entry of record.codes) {
        if (typeof entry !== 'string') {
          out.skip(entry, 'not a string');
          continue;
        }
        // "CODE DD.MM.YYYY": the code, then the day it was added.
        const [code = '', date, ...rest] = stripInvisible(entry).trim().split(/\s+/);
        if (rest.length > 0 || (date !== undefined && !DATE.test(date))) out.skip(entry, 'expected "CODE DD.MM.YYYY"');
        else out.add(entry, code);
      }
      break;
    }
    case 'list': {
      const json = parseJson(body);
      if (!Array.isArray(json)) throw new FeedFormatError(`expected a JSON list of codes, got ${describe(json)}`);
      for (const entry of json) {
        if (typeof entry === 'string') out.add(entry, entry);
        else out.skip(entry, 'not a string');
      }
      break;
    }
    case 'text': {
      if (/^\s*</.test(body)) throw new FeedFormatError('expected one code a line, got markup (an HTML or XML page?)');
      for (const line of body.split(/\r?\n/)) {
        const trimmed = stripInvisible(line).trim();
        if (trimmed === '' || trimmed.startsWith('#')) continue;
        out.add(line, trimmed);
      }
      // A text body with lines but not one code in it is not a code list (an error page in plain text, say).
      if (out.codes.length === 0 && out.skipped.length > 0)
        throw new FeedFormatError(
          `expected one code a line; no line is a code (first: ${JSON.stringify(out.skipped[0]!.entry)})`,
        );
      break;
    }
  }
  return { codes: out.codes, skipped: out.skipped };
}

class Collector {
  readonly codes: GiftCode[] = [];
  readonly skipped: { entry: string; reason: string }[] = [];
  private readonly seen = new Set<string>();

  add(entry: unknown, candidate: string): void {
    const normalized = normalizeCode(candidate);
    if (!normalized.ok) {
      this.skip(entry, normalized.reason);
      return;
    }
    if (this.seen.has(normalized.code)) return;
    this.seen.add(normalized.code);
    this.codes.push(normalized.code);
  }

  skip(entry: unknown, reason: string): void {
    const text = typeof entry === 'string' ? entry : preview(entry);
    this.skipped.push({ entry: text.length > 80 ? `${text.slice(0, 80)}…` : text, reason });
  }
}

const PREVIEW_DEPTH = 3;
const PREVIEW_ITEMS = 5;

/**
 * A short rendering of any parsed JSON value, going at most PREVIEW_DEPTH levels down. V8's JSON.parse reads a
 * body nested 400,000 levels deep without trouble, but JSON.stringify (and any recursive walk) of such a value
 * overflows the stack: that crash lost the good codes beside it. Nothing here recurses deeper than the limit.
 */
export function preview(value: unknown, maxChars = 80): string {
  const text = render(value, PREVIEW_DEPTH, maxChars);
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function render(value: unknown, depth: number, maxChars: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > maxChars ? value.slice(0, maxChars) : value);
  if (value === null || typeof value !== 'object') return String(value);
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  const more = (count: number) => (count > PREVIEW_ITEMS ? ',…' : '');
  if (Array.isArray(value)) {
    return `[${value
      .slice(0, PREVIEW_ITEMS)
      .map((item) => render(item, depth - 1, maxChars))
      .join(',')}${more(value.length)}]`;
  }
  const entries = Object.entries(value);
  return `{${entries
    .slice(0, PREVIEW_ITEMS)
    .map(([key, item]) => `${JSON.stringify(key)}:${render(item, depth - 1, maxChars)}`)
    .join(',')}${more(entries.length)}}`;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    const start = body.trim().slice(0, 40);
    throw new FeedFormatError(`the answer is not JSON (starts ${JSON.stringify(start)})`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The community API reports problems as {"error": …} or {"detail": …}. */
export function errorText(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as Record<string, unknown>;
  for (const key of ['error', 'detail', 'message']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value.slice(0, 200);
    if (value !== undefined && value !== null && typeof value !== 'string') return preview(value, 200);
  }
  return null;
}
