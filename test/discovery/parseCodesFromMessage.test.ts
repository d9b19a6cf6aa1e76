import { describe, expect, it } from 'vitest';
import { parseCodesFromMessage } from '../../src/codes/sources/parseCodesFromMessage.ts';

describe('parseCodesFromMessage', () => {
  it('a one-word message is a code (markdown and invisible characters around it removed)', () => {
    expect(parseCodesFromMessage({ content: 'WOS2026' })).toEqual(['WOS2026']);
    expect(parseCodesFromMessage({ content: '  **`FrostDay7`**  ' })).toEqual(['FrostDay7']);
    expect(parseCodesFromMessage({ content: '\u200bHAPPY2026\u200b' })).toEqual(['HAPPY2026']);
    expect(parseCodesFromMessage({ content: 'HAPPY2026!' })).toEqual(['HAPPY2026']);
  });

  it('chat is not a code: several words without a "Code:" label, short words, links, symbols', () => {
    expect(parseCodesFromMessage({ content: 'anyone got the new one?' })).toEqual([]);
    expect(parseCodesFromMessage({ content: 'ok' })).toEqual([]);
    expect(parseCodesFromMessage({ content: 'https://wos-giftcode.centurygame.com' })).toEqual([]);
    expect(parseCodesFromMessage({ content: 'ABC-123-DEF' })).toEqual([]);
    expect(parseCodesFromMessage({ content: '' })).toEqual([]);
  });

  it('"Code: XXXX" inside a longer message, any number of them', () => {
    expect(parseCodesFromMessage({ content: 'New gift code for everyone!\nCode: SNOW2026 — valid 3 days' })).toEqual([
      'SNOW2026',
    ]);
    expect(parseCodesFromMessage({ content: 'gift code：**ICE777** and code: FIRE888, enjoy' })).toEqual([
      'ICE777',
      'FIRE888',
    ]);
    expect(parseCodesFromMessage({ content: 'Codes: AAA1111; also Code: AAA1111' })).toEqual(['AAA1111']);
  });

  it('embeds: description, title, and a field named "Code"', () => {
    expect(
      parseCodesFromMessage({
        content: '',
        embeds: [{ title: 'Whiteout Survival', description: 'Redeem now! Code: EMBED001' }],
      }),
    ).toEqual(['EMBED001']);
    expect(
      parseCodesFromMessage({
        content: '',
        embeds: [
          {
            title: 'New code',
            fields: [
              { name: 'Gift Code', value: '`FIELD002`' },
              { name: 'Expires', value: 'in 3 days' },
            ],
          },
        ],
      }),
    ).toEqual(['FIELD002']);
    expect(
      parseCodesFromMessage({
        content: 'look at this',
        embeds: [{ fields: [{ name: 'Rewards', value: 'Code: FIELD003 gives 500 gems' }] }],
      }),
    ).toEqual(['FIELD003']);
  });
});
