/** Gift codes in the wild: letters and digits, 4 to 20 characters (seen: 6–16). */
export const CODE_PATTERN = /^[A-Za-z0-9]{4,20}$/;

declare const GIFT_CODE: unique symbol;
/**
 * A gift code as giftbot knows it: normalised once, where it enters (a feed, a codes channel, a command, the CLI), by
 * `normalizeCode`. Everything behind the edge — intake, the engine, the ledger — takes this type, so nothing
 * normalises again, and a raw string cannot reach the game by mistake.
 */
export type GiftCode = string & { readonly [GIFT_CODE]: true };

/**
 * Why a text is not a code, as data: a key under `codeCheck.` and its values, so Discord can say it in the member's
 * language; `reason` stays the English words the CLI and the logs print.
 */
export interface CodeProblem {
  key: 'empty' | 'tooShort' | 'tooLong' | 'badChars' | `char.${CharKind}`;
  vars: Record<string, string>;
}
type CharKind = 'tab' | 'lineBreak' | 'nul' | 'space' | 'control' | 'otherSpace';

export type NormalizedCode = { ok: true; code: GiftCode } | { ok: false; reason: string; problem: CodeProblem };

// Codes pasted from chat carry zero-width spaces, BOMs, bidi marks and other invisible format characters; a wrong
// sign is the symptom when they reach the API, so they are removed before anything else looks at the code. Only
// those: a tab, a line break or a NUL is not invisible, it separates words, so a code containing one is refused
// (stripping it would join two pieces into a code nobody posted).
const INVISIBLE = /\p{Cf}/gu;
const SEPARATOR_OR_CONTROL = /[\s\p{Cc}]/u;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

const CHAR_KINDS: Record<string, CharKind> = {
  '\t': 'tab',
  '\n': 'lineBreak',
  '\r': 'lineBreak',
  '\0': 'nul',
  ' ': 'space',
};
const CHAR_NAMES: Record<CharKind, string> = {
  tab: 'a tab',
  lineBreak: 'a line break',
  nul: 'a NUL character',
  space: 'a space',
  control: 'a control character',
  otherSpace: 'a space character',
};

function charKind(char: string): CharKind {
  return CHAR_KINDS[char] ?? (/\p{Cc}/u.test(char) ? 'control' : 'otherSpace');
}

function hexOf(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function normalizeCode(input: string): NormalizedCode {
  // Outer whitespace is only how it was pasted (a trailing newline, say); inside the code it is refused below.
  const code = stripInvisible(input).trim();
  if (code.length === 0) return { ok: false, reason: 'the code is empty', problem: { key: 'empty', vars: {} } };
  const bad = SEPARATOR_OR_CONTROL.exec(code);
  if (bad) {
    // JSON.stringify shows a tab as \t and a NUL as \u0000, so the operator sees what was really there.
    const shown = JSON.stringify(code.slice(0, 24));
    const kind = charKind(bad[0]);
    const hex = hexOf(bad[0]);
    return {
      ok: false,
      reason: `${shown} contains ${CHAR_NAMES[kind]} (${hex}): a gift code is one word without spaces or control characters`,
      problem: { key: `char.${kind}`, vars: { code: shown, hex } },
    };
  }
  if (code.length < 4)
    return {
      ok: false,
      reason: `"${code}" is too short for a gift code (4 to 20 characters)`,
      problem: { key: 'tooShort', vars: { code } },
    };
  if (code.length > 20)
    return {
      ok: false,
      reason: `"${code.slice(0, 24)}…" is too long for a gift code (4 to 20 characters)`,
      problem: { key: 'tooLong', vars: { code: code.slice(0, 24) } },
    };
  if (!CODE_PATTERN.test(code))
    return {
      ok: false,
      reason: `"${code}" has characters a gift code never has (letters and digits only)`,
      problem: { key: 'badChars', vars: { code } },
    };
  return { ok: true, code: code as GiftCode };
}

/** A code known to be well-formed (the demo's, the benchmark's, a test's, one read back from the store): throws otherwise. */
export function giftCode(text: string): GiftCode {
  const parsed = normalizeCode(text);
  if (!parsed.ok) throw new Error(`not a gift code: ${parsed.reason}`);
  return parsed.code;
}
