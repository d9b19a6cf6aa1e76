import { chooseAlliance } from '../alliances/chooseAlliance.ts';
import { isValidFid } from '../game/playerIds.ts';
import { EVENTS } from '../log/events.ts';
import type { AllianceRecord, MemberRecord, Store } from '../store/types.ts';
import type { ProbeLimiter } from './probeLimiter.ts';
import { SELF_SERVICE_TEXT as T } from './texts.ts';
import { verifyPlayer, type VerifyDeps } from './verifyPlayer.ts';

export interface SelfServiceDeps extends VerifyDeps {
  store: Store;
  limiter: ProbeLimiter;
}

export interface LinkRequest {
  guildId: string;
  userId: string;
  fid: string;
  state: number | null;
  allianceName: string | null;
}

/** What `/me link` ends with; `text` is the member's private answer. */
export type LinkResult =
  | { kind: 'refused'; reason: string; text: string }
  | { kind: 'linked'; text: string; alliance: AllianceRecord; member: MemberRecord; created: boolean }
  /** `approve` mode: an admin decides; `state` is the checked state, null when it is still to be found. */
  | {
      kind: 'needs-approval';
      alliance: AllianceRecord;
      fid: string;
      state: number | null;
      triedState: number | null;
    }
  /** `open` mode, the player exists but not in the state tried: it is on the roster, its state is searched. */
  | { kind: 'search-state'; text: string; alliance: AllianceRecord; fid: string };

/**
 * `/me link`: which alliance, whether it takes members this way, whether the player or the member is linked already,
 * the per-user limit, then ONE probe with an impossible code to check (player, state) — and what follows from its
 * answer. Nothing changes on the roster unless the game knows the player.
 */
export async function linkPlayer(deps: SelfServiceDeps, request: LinkRequest): Promise<LinkResult> {
  const { store, log } = deps;
  const { guildId, userId, fid } = request;
  const refuse = (reason: string, text: string): LinkResult => {
    log.info({ event: EVENTS.selfServiceRefused, guildId, userId, fid, reason }, 'self-service link refused');
    return { kind: 'refused', reason, text };
  };
  if (!isValidFid(fid)) return refuse('bad-fid', T.badFid);
  const choice = chooseAlliance(await store.alliances.list({ guildId }), request.allianceName);
  if (choice.kind === 'none') return refuse('no-alliance', T.noAlliance);
  if (choice.kind === 'ambiguous') return refuse('alliance-needed', T.allianceNeeded(choice.names));
  if (choice.kind === 'unknown') return refuse('unknown-alliance', T.unknownAlliance(choice.name));
  const alliance = choice.alliance;

  const mine = await store.memberLinks.forUser(guildId, userId);
  if (mine && mine.fid !== fid) return refuse('linked-to-other', T.alreadyLinkedOther(mine.fid));
  const theirs = await store.memberLinks.forPlayer(guildId, fid);
  if (theirs && theirs.userId !== userId) return refuse('taken', T.takenByOther);

  // A player an admin already listed: linking costs nothing and changes no roster.
  const listed = await store.members.get(guildId, fid);
  if (listed) {
    const linked = await store.memberLinks.link({ guildId, game: listed.game, fid, userId });
    if (!linked.linked) return refuse('taken', T.takenByOther);
    const roster = (await store.alliances.get(listed.allianceId)) ?? alliance;
    log.info(
      { event: EVENTS.selfServiceLinked, guildId, allianceId: roster.id, userId, fid, how: 'listed' },
      'member linked',
    );
    return {
      kind: 'linked',
      text: T.alreadyOnRoster(fid, listed.state, roster.name),
      alliance: roster,
      member: listed,
      created: false,
    };
  }
  if (alliance.selfJoin === 'off') return refuse('join-off', T.joinOff(alliance.name));
  const kid = request.state ?? alliance.defaultState;
  if (kid === null) return refuse('state-needed', T.stateNeeded);

  const waitMs = deps.limiter.take(userId);
  if (waitMs !== null)
    return refuse('rate-limited', T.slowDown(Math.max(1, Math.ceil(waitMs / 60_000)), deps.limiter.limit));

  const verdict = await verifyPlayer(deps, { game: alliance.game, fid, kid, guildId });
  if (verdict === 'no-such-player') return refuse('no-such-player', T.unknownPlayer(fid));
  if (verdict === 'busy') return refuse('game-busy', T.gameBusy);
  if (verdict === 'refused') return refuse('game-refused', T.gameRefused);
  const state = verdict === 'right-state' ? kid : null;
  if (alliance.selfJoin === 'approve')
    return { kind: 'needs-approval', alliance, fid, state, triedState: state === null ? kid : null };
  return admit(deps, { alliance, fid, userId, state, triedState: state === null ? kid : null });
}

/**
 * Puts the player on the roster and links the member (an `open` alliance, or an admin's approval). Without a checked
 * state, the state the game refused is recorded as wrong so that the state search starts after it.
 */
export async function admit(
  deps: Pick<SelfServiceDeps, 'store' | 'log'>,
  input: { alliance: AllianceRecord; fid: string; userId: string; state: number | null; triedState: number | null },
): Promise<LinkResult> {
  const { store, log } = deps;
  const { alliance, fid, userId, state } = input;
  const guildId = alliance.guildId;
  const linked = await store.memberLinks.link({ guildId, game: alliance.game, fid, userId });
  if (!linked.linked) {
    const text = linked.reason === 'taken' ? T.takenByOther : T.alreadyLinkedOther(linked.existing.fid);
    log.info({ event: EVENTS.selfServiceRefused, guildId, userId, fid, reason: linked.reason }, 'link refused');
    return { kind: 'refused', reason: linked.reason, text };
  }
  const added = await store.members.add(alliance.id, {
    fid,
    state: state ?? input.triedState,
    addedBy: `discord:${userId}`,
  });
  log.info(
    { event: EVENTS.selfServiceLinked, guildId, allianceId: alliance.id, userId, fid, state, how: 'added' },
    'member linked and added to the roster',
  );
  if (state !== null)
    return {
      kind: 'linked',
      text: T.linked(fid, state, alliance.name),
      alliance,
      member: added.member,
      created: added.created,
    };
  await store.members.setState(guildId, fid, input.triedState, input.triedState === null ? 'unknown' : 'wrong');
  return { kind: 'search-state', text: T.stateSearching(fid, input.triedState), alliance, fid };
}
