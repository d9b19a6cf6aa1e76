import { CODE_PATTERN, stripInvisible } from '../../game/normalizeCode.ts';

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
 * Only code-shaped words are returned; the intake still normalises and checks each one.
 */
export function parseCodesFromMessage(message: MessageLike): string[] {
  const found: string[] = [];
  const add = (word: string) => {
    const cleaned = cleanWord(word);
    if (cleaned && CODE_PATTERN.test(cleaned) && !found.includes(cleaned)) found.push(cleaned);
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
