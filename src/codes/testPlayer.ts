import { isValidFid, isValidState } from '../game/playerIds.ts';

/** A player the operator set aside for checking new codes (`TEST_PLAYER_WOS=<fid>:<state>`). */
export interface TestPlayer {
  fid: string;
  state: number;
}

/** Parses `<fid>:<state>`; returns a readable problem for anything else. */
export function parseTestPlayer(
  raw: string | undefined,
  key: string,
): { player: TestPlayer | null; problem: string | null } {
  if (raw === undefined || raw.trim() === '') return { player: null, problem: null };
  const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(raw);
  if (!match || !isValidFid(match[1]!) || !isValidState(match[2]!)) {
    return { player: null, problem: `${key} must be <player id>:<state>, e.g. 45379845:245, got "${raw.trim()}"` };
  }
  return { player: { fid: match[1]!, state: Number(match[2]) }, problem: null };
}
