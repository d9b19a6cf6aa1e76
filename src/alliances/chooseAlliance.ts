import type { AllianceRecord } from '../store/types.ts';

/**
 * Which alliance of a server a command means: the one named (case-insensitively), or the only one when none is
 * named. Discord and the command line word the failures their own way (`alliance:` or `--alliance`).
 */
export type AllianceChoice =
  | { kind: 'found'; alliance: AllianceRecord }
  /** The server has no alliance at all. */
  | { kind: 'none' }
  /** A name was given that is none of the server's alliances. */
  | { kind: 'unknown'; name: string; names: string[] }
  /** No name was given and the server has several alliances. */
  | { kind: 'ambiguous'; names: string[] };

export function chooseAlliance(alliances: readonly AllianceRecord[], name: string | null | undefined): AllianceChoice {
  if (alliances.length === 0) return { kind: 'none' };
  const names = alliances.map((alliance) => alliance.name);
  const wanted = name?.trim() ?? '';
  if (wanted === '') {
    const [only] = alliances;
    return alliances.length === 1 && only ? { kind: 'found', alliance: only } : { kind: 'ambiguous', names };
  }
  const match = alliances.find((alliance) => sameName(alliance.name, wanted));
  return match ? { kind: 'found', alliance: match } : { kind: 'unknown', name: wanted, names };
}

/** Alliance names are unique per server case-insensitively (the store's index uses lower()). */
export function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Why a name people typed does not work (Discord words it in the member's language, the CLI with `reason`). */
export type AllianceNameProblem = 'empty' | 'tooLong' | 'control';

/** A name people type: 1 to 32 characters, no line breaks or control characters, trimmed. */
export function checkAllianceName(
  raw: string,
): { ok: true; name: string } | { ok: false; problem: AllianceNameProblem; reason: string } {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name === '') return { ok: false, problem: 'empty', reason: 'an alliance name cannot be empty' };
  if ([...name].length > MAX_ALLIANCE_NAME)
    return {
      ok: false,
      problem: 'tooLong',
      reason: `an alliance name has at most ${MAX_ALLIANCE_NAME} characters`,
    };
  // oxlint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(name))
    return { ok: false, problem: 'control', reason: 'an alliance name cannot hold control characters' };
  return { ok: true, name };
}

export const MAX_ALLIANCE_NAME = 32;

/** "A, B and C" for messages. */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

/** The name a server's first alliance gets when nobody chose one (as the migration does): the server's name, or "main". */
export function defaultAllianceName(serverName: string | null | undefined): string {
  const name = (serverName ?? '').trim().replace(/\s+/g, ' ');
  return name === '' ? 'main' : [...name].slice(0, MAX_ALLIANCE_NAME).join('');
}
