/** Gift codes in the wild: letters and digits, 4 to 20 characters (seen: 6–16). */
export const CODE_PATTERN = /^[A-Za-z0-9]{4,20}$/;

export type NormalizedCode = { ok: true; code: string } | { ok: false; reason: string };

// Codes pasted from chat carry zero-width spaces, BOMs, bidi marks and other invisible characters; a wrong sign is
// the symptom when they reach the API, so they are removed before anything else looks at the code.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

export function normalizeCode(input: string): NormalizedCode {
  const code = stripInvisible(input).trim();
  if (code.length === 0) return { ok: false, reason: 'the code is empty' };
  if (/\s/.test(code)) return { ok: false, reason: 'a gift code is one word without spaces' };
  if (code.length < 4) return { ok: false, reason: `"${code}" is too short for a gift code (4 to 20 characters)` };
  if (code.length > 20) return { ok: false, reason: `"${code.slice(0, 24)}…" is too long for a gift code (4 to 20 characters)` };
  if (!CODE_PATTERN.test(code)) return { ok: false, reason: `"${code}" has characters a gift code never has (letters and digits only)` };
  return { ok: true, code };
}

/** Player ids (`fid`) are positive integers of up to 12 digits. */
export function isValidFid(value: string): boolean {
  return /^[1-9][0-9]{0,11}$/.test(value);
}

/** States (`kid`) are positive integers (a few thousand exist). */
export function isValidState(value: string | number): boolean {
  const text = String(value);
  return /^[1-9][0-9]{0,5}$/.test(text);
}
