import { describe, expect, it } from 'vitest';
import { FeedFormatError, parseFeedBody } from '../../src/codes/sources/feedParsers.ts';

describe('parseFeedBody', () => {
  it('community: takes the code before the date, keeps feed order, each code once', () => {
    const parsed = parseFeedBody(
      'community',
      JSON.stringify({ codes: ['WOS2026 01.11.2026', 'FROST99 02.11.2026', 'WOS2026 03.11.2026', 'PLAIN42'] }),
    );
    expect(parsed.codes).toEqual(['WOS2026', 'FROST99', 'PLAIN42']);
    expect(parsed.skipped).toEqual([]);
  });

  it('community: malformed entries are skipped with a reason, the rest still counts', () => {
    const parsed = parseFeedBody(
      'community',
      JSON.stringify({
        codes: [
          'GOOD1234 01.11.2026',
          42,
          'BAD-CODE 01.11.2026',
          'TWO WORDS HERE',
          'X1 01.11.2026',
          'DATED 2026-11-01',
          '\u200bZERO777\u200b 01.11.2026',
        ],
      }),
    );
    expect(parsed.codes).toEqual(['GOOD1234', 'ZERO777']);
    expect(parsed.skipped.map((s) => s.entry)).toEqual([
      '42',
      'BAD-CODE 01.11.2026',
      'TWO WORDS HERE',
      'X1 01.11.2026',
      'DATED 2026-11-01',
    ]);
    expect(parsed.skipped[0]!.reason).toBe('not a string');
    expect(parsed.skipped[1]!.reason).toMatch(/letters and digits/);
    expect(parsed.skipped[3]!.reason).toMatch(/too short/);
  });

  it('community: an error body or a body without "codes" fails the whole poll', () => {
    expect(() => parseFeedBody('community', '{"error":"Invalid API key"}')).toThrow(
      /the feed answered with an error: Invalid API key/,
    );
    expect(() => parseFeedBody('community', '{"detail":"Not Found"}')).toThrow(FeedFormatError);
    expect(() => parseFeedBody('community', '{"data":[]}')).toThrow(/"codes" list is missing/);
    expect(() => parseFeedBody('community', '["A1234"]')).toThrow(/got a list/);
    expect(() => parseFeedBody('community', '<html>502 Bad Gateway</html>')).toThrow(/not JSON/);
  });

  it('list: a JSON array of strings', () => {
    expect(parseFeedBody('list', '["LIST0001"," LIST0002 ",null]')).toEqual({
      codes: ['LIST0001', 'LIST0002'],
      skipped: [{ entry: 'null', reason: 'not a string' }],
    });
    expect(() => parseFeedBody('list', '{"codes":[]}')).toThrow(/expected a JSON list/);
    expect(() => parseFeedBody('list', '')).toThrow(/not JSON/);
  });

  it('text: one code a line; blank lines and # comments ignored; markup or no code at all fails', () => {
    expect(parseFeedBody('text', '# codes\r\nTEXT0001\n\n  TEXT0002  \nnot a code\n')).toEqual({
      codes: ['TEXT0001', 'TEXT0002'],
      skipped: [
        {
          entry: 'not a code',
          reason:
            '"not a code" contains a space (U+0020): a gift code is one word without spaces or control characters',
        },
      ],
    });
    expect(() => parseFeedBody('text', '<!doctype html><p>oops</p>')).toThrow(/markup/);
    expect(() => parseFeedBody('text', 'Service temporarily unavailable, try later')).toThrow(/no line is a code/);
    expect(parseFeedBody('text', '')).toEqual({ codes: [], skipped: [] });
  });
});
