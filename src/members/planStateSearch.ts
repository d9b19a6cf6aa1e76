import type { AllianceRecord, MemberRecord, Store } from '../store/types.ts';
import { stateCandidates } from './stateCandidates.ts';

/** One member's search: the states to try in order, and how far it got. */
export interface SearchTask {
  member: MemberRecord;
  candidates: number[];
  next: number;
  probes: number;
  transient: number;
  ruledOut: number;
}

export interface PlanOptions {
  fids?: readonly string[] | undefined;
  range: number;
  restart?: boolean | undefined;
  /** Record what is known (the state a redemption was refused with is ruled out); without, only look. */
  write: boolean;
}

/**
 * Who to search and in which order: members whose state is unknown or wrong, each with candidate states around the
 * alliance's state (and where their mates are), minus the states ruled out before. With `restart`, earlier searches
 * are forgotten.
 */
export async function planStateSearch(
  store: Store,
  alliance: AllianceRecord,
  options: PlanOptions,
): Promise<SearchTask[]> {
  const game = alliance.game;
  const roster = await store.members.list(alliance.guildId, { allianceIds: [alliance.id] });
  const wanted = options.fids ? new Set(options.fids) : null;
  const targets = roster.filter((m) => (m.state === null || m.stateStatus !== 'ok') && (!wanted || wanted.has(m.fid)));

  // Mates whose state is confirmed tell where the others probably are.
  const mateStates = new Map<number, number>();
  for (const m of roster)
    if (m.state !== null && m.stateStatus === 'ok') mateStates.set(m.state, (mateStates.get(m.state) ?? 0) + 1);

  const tasks: SearchTask[] = [];
  for (const member of targets) {
    if (options.write && options.restart) await store.wrongStates.clear(game, member.fid);
    const ruled = new Set(await store.wrongStates.list(game, member.fid));
    // The state a redemption was refused with (USER INFO ERROR) is ruled out already.
    if (member.stateStatus === 'wrong' && member.state !== null && !ruled.has(member.state)) {
      ruled.add(member.state);
      if (options.write)
        await store.wrongStates.record(game, member.fid, member.state, {
          errCode: 40020,
          msg: 'refused in a redemption',
        });
    }
    const candidates = stateCandidates({
      allianceState: alliance.defaultState,
      mateStates,
      fallbackCentre: member.state,
      range: options.range,
      exclude: ruled,
    });
    tasks.push({ member, candidates, next: 0, probes: 0, transient: 0, ruledOut: ruled.size });
  }
  return tasks;
}
