import { normalizeCode, type GiftCode } from '../game/giftCode.ts';
/**
 * Button ids carry what the click needs and nothing secret: the guild always comes from the interaction itself, so a
 * copied id can never reach another server's data. Discord allows 100 characters.
 */
const PREFIX = 'giftbot';

export type ButtonAction =
  | { kind: 'retry'; code: GiftCode; allianceId?: number }
  | { kind: 'members'; page: number; allianceId: number | null }
  | { kind: 'alliance-remove'; allianceId: number; confirmed: boolean };

/** The retry of a code; with an alliance when the summary was that alliance's alone (a server with several). */
export function retryButtonId(code: string, allianceId?: number): string {
  return allianceId === undefined ? `${PREFIX}:retry:${code}` : `${PREFIX}:retry:${code}:${allianceId}`;
}

export function membersPageId(page: number, slot: 'prev' | 'next', allianceId: number | null = null): string {
  // Two buttons may point at one page (the first page's "previous" is disabled): the slot keeps the ids unique.
  return `${PREFIX}:members:${page}:${slot}${allianceId === null ? '' : `:${allianceId}`}`;
}

/** The two buttons under `/alliance remove`: remove for good, or keep. */
export function allianceRemoveId(allianceId: number, confirmed: boolean): string {
  return `${PREFIX}:alliance-remove:${allianceId}:${confirmed ? 'yes' : 'no'}`;
}

export function parseButtonId(customId: string): ButtonAction | null {
  const [prefix, kind, arg, slot, extra] = customId.split(':');
  if (prefix !== PREFIX || arg === undefined) return null;
  if (kind === 'retry') {
    // A button id comes back from Discord: the code in it is checked like any code that enters giftbot.
    const parsed = normalizeCode(arg ?? '');
    if (!parsed.ok) return null;
    // retry:<code>[:<allianceId>]
    if (slot === undefined) return { kind: 'retry', code: parsed.code };
    return /^\d{1,15}$/.test(slot) && extra === undefined
      ? { kind: 'retry', code: parsed.code, allianceId: Number(slot) }
      : null;
  }
  if (kind === 'members' && /^\d{1,6}$/.test(arg) && (extra === undefined || /^\d{1,15}$/.test(extra)))
    return { kind: 'members', page: Number(arg), allianceId: extra === undefined ? null : Number(extra) };
  if (kind === 'alliance-remove' && /^\d{1,15}$/.test(arg) && (slot === 'yes' || slot === 'no'))
    return { kind: 'alliance-remove', allianceId: Number(arg), confirmed: slot === 'yes' };
  return null;
}
