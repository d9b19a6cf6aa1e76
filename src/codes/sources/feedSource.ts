import { GAMES, isGame, type Game } from '../../game/games.ts';

export const FEED_FORMATS = ['community', 'list', 'text'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** One configured code feed (an entry of `CODE_FEEDS`). */
export interface FeedSource {
  /** Shown in logs and stored as the code's source (`feed:<name>`); defaults to the URL's host and path. */
  name: string;
  url: string;
  game: Game;
  format: FeedFormat;
  /** Sent as `X-API-Key`; a secret (redacted from logs). */
  apiKey: string | null;
}

const KNOWN_FIELDS = ['name', 'url', 'game', 'format', 'apiKey'];
const EXAMPLE = '[{"url":"https://example.org/codes","game":"wos","format":"community","apiKey":"…"}]';

/**
 * Reads `CODE_FEEDS` (a JSON array). Every entry is checked and every problem is reported in words an operator can
 * act on; the URL is never echoed in full (it may carry a key in its query string).
 */
export function parseFeedSources(
  raw: string | undefined,
  key = 'CODE_FEEDS',
): { feeds: FeedSource[]; problems: string[] } {
  const feeds: FeedSource[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw.trim() === '') return { feeds, problems };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    problems.push(`${key} is not valid JSON (${(error as Error).message}); expected for example ${EXAMPLE}`);
    return { feeds, problems };
  }
  if (!Array.isArray(parsed)) {
    problems.push(`${key} must be a JSON array of feeds, e.g. ${EXAMPLE}`);
    return { feeds, problems };
  }
  const names = new Set<string>();
  parsed.forEach((entry: unknown, index) => {
    const where = `${key} entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object with url, game and format`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const entryProblems: string[] = [];
    for (const field of Object.keys(record)) {
      if (!KNOWN_FIELDS.includes(field))
        entryProblems.push(`has an unknown field "${field}" (known: ${KNOWN_FIELDS.join(', ')})`);
    }
    let url: URL | null = null;
    if (typeof record.url !== 'string' || record.url.trim() === '') {
      entryProblems.push('needs a "url"');
    } else {
      try {
        url = new URL(record.url.trim());
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          entryProblems.push(`"url" must start with http:// or https://, got ${url.protocol}//`);
          url = null;
        }
      } catch {
        entryProblems.push('"url" is not a valid URL');
      }
    }
    if (!isGame(record.game))
      entryProblems.push(`"game" must be one of ${GAMES.join(', ')}, got ${JSON.stringify(record.game ?? null)}`);
    const format = record.format ?? 'community';
    if (typeof format !== 'string' || !(FEED_FORMATS as readonly string[]).includes(format)) {
      entryProblems.push(`"format" must be one of ${FEED_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
    }
    if (record.apiKey !== undefined && (typeof record.apiKey !== 'string' || record.apiKey.trim() === '')) {
      entryProblems.push('"apiKey" must be a non-empty string when given');
    }
    if (record.name !== undefined && (typeof record.name !== 'string' || !/^[\w.:/-]{1,64}$/.test(record.name))) {
      entryProblems.push('"name" must be 1 to 64 letters, digits or . _ : / -');
    }
    if (entryProblems.length > 0 || !url || !isGame(record.game)) {
      for (const problem of entryProblems) problems.push(`${where} ${problem}`);
      return;
    }
    const name =
      typeof record.name === 'string' ? record.name : `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    if (names.has(name)) {
      problems.push(`${where}: the name "${name}" is used twice; give each feed its own "name"`);
      return;
    }
    names.add(name);
    feeds.push({
      name,
      url: url.toString(),
      game: record.game,
      format: format as FeedFormat,
      apiKey: typeof record.apiKey === 'string' ? record.apiKey.trim() : null,
    });
  });
  return { feeds, problems };
}
