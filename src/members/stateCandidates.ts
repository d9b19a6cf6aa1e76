import { isValidState } from '../game/playerIds.ts';

export interface CandidateInput {
  /** The alliance's state (guilds.default_state): most members are there, so it is tried first. */
  allianceState: number | null;
  /** States of alliance mates whose state is confirmed, with how many are in each. */
  mateStates: ReadonlyMap<number, number>;
  /** Where the outward search is centred when the alliance has no state (e.g. the member's own wrong state). */
  fallbackCentre?: number | null;
  /** How far either side of the centre to go. */
  range: number;
  /** States already ruled out for this player. */
  exclude?: ReadonlySet<number>;
}

/**
 * The order in which to try states for a player: the alliance's state, then mates' states (most common first, ties
 * by number), then numbers outward from the centre (+1, −1, +2, −2, …) up to `range` away. No state twice, none
 * ruled out, none that cannot be a state.
 */
export function stateCandidates(input: CandidateInput): number[] {
  const out: number[] = [];
  const seen = new Set<number>(input.exclude ?? []);
  const add = (state: number | null | undefined) => {
    if (state === null || state === undefined || seen.has(state) || !isValidState(state)) return;
    seen.add(state);
    out.push(state);
  };
  add(input.allianceState);
  const mates = [...input.mateStates.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [state] of mates) add(state);
  const centre = input.allianceState ?? mates[0]?.[0] ?? input.fallbackCentre ?? null;
  if (centre !== null) {
    add(centre);
    for (let distance = 1; distance <= input.range; distance += 1) {
      add(centre + distance);
      add(centre - distance);
    }
  }
  return out;
}
