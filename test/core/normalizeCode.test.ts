import { describe, expect, it } from 'vitest';
import { normalizeCode } from '../../src/game/giftCode.ts';
import { parseFeedBody } from '../../src/codes/sources/feedParsers.ts';
import { parseCodesFromMessage } from '../../src/codes/sources/parseCodesFromMessage.ts';

describe('normalizeCode: strip only the invisible, refuse what separates words', () => {
  it.each([
    ['zero-width space and BOM around it', '\u200bABCD12\ufeff', 'ABCD12'],
    ['zero-width joiner and word joiner inside', 'AB\u200dCD\u206012', 'ABCD12'],
    ['bidi marks', '\u202aABCD12\u202c\u200e', 'ABCD12'],
    ['a trailing newline and spaces from pasting', '  ABCD12\r\n', 'ABCD12'],
  ])('kept: %s', (_name, input, code) => {
    expect(normalizeCode(input)).toEqual({ ok: true, code });
  });

  it.each([
    ['a tab', 'AB\tCD12', '"AB\\tCD12" contains a tab (U+0009)'],
    ['a newline', 'AB\nCD12', '"AB\\nCD12" contains a line break (U+000A)'],
    ['a NUL', 'AB\u0000CD12', '"AB\\u0000CD12" contains a NUL character (U+0000)'],
    ['a NUL at the end', 'ABCD12\u0000', 'contains a NUL character (U+0000)'],
    ['an escape (terminal codes)', 'AB\u001b[31mCD', 'contains a control character (U+001B)'],
    ['a space', 'AB CD12', 'contains a space (U+0020)'],
    ['a no-break space', 'AB\u00a0CD12', 'contains a space character (U+00A0)'],
  ])('refused with a clear reason: %s', (_name, input, reason) => {
    const result = normalizeCode(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('a tab inside a feed entry or a channel post never joins two pieces into one code', () => {
    expect(parseFeedBody('text', 'GOOD1234\nAB\tCD12\n').codes).toEqual(['GOOD1234']);
    expect(parseFeedBody('list', JSON.stringify(['AB\tCD12', 'GOOD1234'])).codes).toEqual(['GOOD1234']);
    expect(
      parseFeedBody('community', JSON.stringify({ codes: ['AB\tCD12 01.11.2026', 'GOOD1234 01.11.2026'] })).codes,
    ).toEqual(['GOOD1234']);
    expect(parseCodesFromMessage({ content: 'AB\tCD12' })).toEqual([]);
  });
});
