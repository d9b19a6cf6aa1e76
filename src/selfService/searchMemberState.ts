import { setTimeout as sleep } from 'node:timers/promises';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { SearchWhy } from '../members/searchRun.ts';
import type { StateDiscovery } from '../members/stateDiscovery.ts';

export type MemberStateSearch =
  | { found: true; state: number }
  /** `why` in English, or as data when the search gave its reason as data. */
  | { found: false; reason: string; why: SearchWhy | null };

/**
 * The existing state search, for one player a member just linked (behind redemptions, at the search's priority). A
 * search of the same server already running is waited for, then this player's starts.
 */
export async function searchMemberState(
  deps: { stateDiscovery: StateDiscovery; log: Logger; shutdownSignal: AbortSignal },
  guildId: string,
  fid: string,
): Promise<MemberStateSearch> {
  for (;;) {
    while (deps.stateDiscovery.isRunning(guildId)) await sleep(500, undefined, { signal: deps.shutdownSignal });
    const summary = await deps.stateDiscovery.resolve(guildId, { fids: [fid] });
    if (summary.status === 'already-running') continue;
    const result = summary.members.find((member) => member.fid === fid);
    const outcome: MemberStateSearch =
      result?.outcome === 'found' && result.state !== null
        ? { found: true, state: result.state }
        : { found: false, reason: result?.reason ?? summary.message, why: result?.why ?? null };
    deps.log.info(
      { event: EVENTS.selfServiceSearch, guildId, fid, found: outcome.found, probes: result?.probes ?? 0 },
      'state search for a linked member ended',
    );
    return outcome;
  }
}
