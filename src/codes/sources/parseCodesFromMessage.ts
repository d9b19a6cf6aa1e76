import { normalizeCode, stripInvisible, type GiftCode } from '../../game/giftCode.ts';

export interface MessageLike {
  content: string;
  embeds?: readonly {
    title?: string | null;
    description?: string | null;
    fields?: readonly { name: string; value: string }[];
  }[];
}

// "Code: XXXX", "Gift code: XXXX", "CODE：XXXX" (full-width colon), with markdown around the code.
const LABELLED = /\b(?:gift\s*)?codes?\s*[:：]\s*([^\s,;]+)/giu;
const MARKDOWN_EDGES = /^[*_`~|>"'“”‘’([{]+|[*_`~|"'“”‘’)\]}.,!?;:]+$/gu;

/**
 * The gift codes in a message posted to a codes channel: the whole message when it is one code-shaped word, and
 * every `Code: XXXX` in its text, embed descriptions, titles and fields (a field named "Code" counts too).
 * Only words that are gift codes are returned, normalised: this is where a posted code enters giftbot.
 */
export function parseCodesFromMessage(message: MessageLike): GiftCode[] {
  const found: GiftCode[] = [];
  const add = (word: string) => {
    const parsed = normalizeCode(cleanWord(word));
    if (parsed.ok && !found.includes(parsed.code)) found.push(parsed.code);
  };

  const content = stripInvisible(message.content ?? '').trim();
  if (content !== '' && !/\s/.test(content) && !/^https?:/i.test(content)) add(content);
  const texts = [content];
  for (const embed of message.embeds ?? []) {
    texts.push(embed.title ?? '', embed.description ?? '');
    for (const field of embed.fields ?? []) {
      const value = stripInvisible(field.value).trim();
      if (/\bcodes?\b/i.test(field.name) && value !== '' && !/\s/.test(value)) add(value);
      texts.push(`${field.name}: ${field.value}`, field.value);
    }
  }
  for (const text of texts) {
    for (const match of stripInvisible(text).matchAll(LABELLED)) add(match[1]!);
  }
  return found;
}

function cleanWord(word: string): string {
  return stripInvisible(word).replace(MARKDOWN_EDGES, '');
}
