import { chooseAlliance } from '../alliances/chooseAlliance.ts';
import { isValidFid } from '../game/playerIds.ts';
import { EVENTS } from '../log/events.ts';
import type { Game } from '../game/games.ts';
import type { CatalogueKey } from '../i18n/catalogueKeys.ts';
import { t, type Vars } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';
import type { AllianceRecord, MemberRecord, Store } from '../store/types.ts';
import type { ProbeLimiter } from './probeLimiter.ts';
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
  /** The member's language: every `text` of the result speaks it. */
  lang: Language;
  /** The member's Discord locale, kept with the link for their DMs. */
  locale: string | null;
}

/** A text of the catalogue with its variables: rendered in the member's language, or raised to an admin in theirs. */
export interface CatalogueText {
  key: CatalogueKey;
  vars: Vars;
}

/** What `/me link` ends with; `text` is the member's private answer, in the request's language. */
export type LinkResult =
  | { kind: 'refused'; reason: string; text: string; message: CatalogueText }
  /** `catchUp`: the player may be missing codes still valid (new on the roster, or its state just fixed). */
  | { kind: 'linked'; text: string; alliance: AllianceRecord; member: MemberRecord; catchUp: boolean }
  /** `approve` mode: an admin decides; `state` is the checked state, null when it is still to be found. */
  | {
      kind: 'needs-approval';
      alliance: AllianceRecord;
      fid: string;
      state: number | null;
      triedState: number | null;
    }
  /** The player exists but not in the state tried (`open` mode, or a listed player's new state): on the roster, its state is searched. */
  | { kind: 'search-state'; text: string; alliance: AllianceRecord; fid: string };

/**
 * `/me link`: which alliance, whether it takes members this way, whether the player or the member is linked already,
 * the per-user limit, then ONE probe with an impossible code to check (player, state) — and what follows from its
 * answer. Nothing changes on the roster unless the game knows the player.
 */
export async function linkPlayer(deps: SelfServiceDeps, request: LinkRequest): Promise<LinkResult> {
  const { store, log } = deps;
  const { guildId, userId, fid } = request;
  const refuse: Refuse = (reason, key, vars = {}) => {
    log.info({ event: EVENTS.selfServiceRefused, guildId, userId, fid, reason }, 'self-service link refused');
    return refusal(request.lang, reason, key, vars);
  };
  if (!isValidFid(fid)) return refuse('bad-fid', 'me.badFid');
  const mine = await store.memberLinks.forUser(guildId, userId);
  if (mine && mine.fid !== fid) return refuse('linked-to-other', 'me.alreadyLinkedOther', { fid: mine.fid });
  const theirs = await store.memberLinks.forPlayer(guildId, fid);
  if (theirs && theirs.userId !== userId) return refuse('taken', 'me.takenByOther');

  // A player an admin already listed: linking costs nothing and changes no roster, unless the member gives a state
  // that differs from the roster's (or the roster's is unknown or refused): then it is checked like a new player.
  const listed = await store.members.get(guildId, fid);
  const roster = listed ? await store.alliances.get(listed.allianceId) : null;
  if (listed && roster) {
    const fixesState = request.state !== null && (listed.stateStatus !== 'ok' || listed.state !== request.state);
    if (!fixesState) return linkListed(deps, request, listed, roster);
    const verdict = await check(deps, request, listed.game, request.state!, refuse);
    if (typeof verdict !== 'string') return verdict;
    return fixState(deps, request, listed, roster, verdict === 'right-state' ? request.state : null);
  }

  const choice = chooseAlliance(await store.alliances.list({ guildId }), request.allianceName);
  if (choice.kind === 'none') return refuse('no-alliance', 'me.noAlliance');
  if (choice.kind === 'ambiguous')
    return refuse('alliance-needed', 'me.allianceNeeded', { names: choice.names.join(', ') });
  if (choice.kind === 'unknown') return refuse('unknown-alliance', 'me.unknownAlliance', { alliance: choice.name });
  const alliance = choice.alliance;
  if (alliance.selfJoin === 'off') return refuse('join-off', 'me.joinOff', { alliance: alliance.name });
  const kid = request.state ?? alliance.defaultState;
  if (kid === null) return refuse('state-needed', 'me.stateNeeded');
  const verdict = await check(deps, request, alliance.game, kid, refuse);
  if (typeof verdict !== 'string') return verdict;
  const state = verdict === 'right-state' ? kid : null;
  const triedState = state === null ? kid : null;
  if (alliance.selfJoin === 'approve') return { kind: 'needs-approval', alliance, fid, state, triedState };
  return admit(deps, { alliance, fid, userId, state, triedState, lang: request.lang, locale: request.locale });
}

type Refuse = (reason: string, key: CatalogueKey, vars?: Vars) => LinkResult;

/** A refusal: the member's answer in `lang`, and the text itself for whoever else must hear it in theirs. */
function refusal(
  lang: Language,
  reason: string,
  key: CatalogueKey,
  vars: Vars = {},
): Extract<LinkResult, { kind: 'refused' }> {
  return { kind: 'refused', reason, text: t(lang, key, vars), message: { key, vars } };
}

/** The per-user limit, then one probe: its verdict when it says something about the state, else the refusal. */
async function check(
  deps: SelfServiceDeps,
  request: LinkRequest,
  game: Game,
  kid: number,
  refuse: Refuse,
): Promise<'right-state' | 'wrong-state' | LinkResult> {
  const waitMs = deps.limiter.take(request.userId);
  if (waitMs !== null)
    return refuse('rate-limited', 'me.slowDown', {
      count: Math.max(1, Math.ceil(waitMs / 60_000)),
      limit: deps.limiter.limit,
    });
  const verdict = await verifyPlayer(deps, { game, fid: request.fid, kid, guildId: request.guildId });
  if (verdict === 'no-such-player') return refuse('no-such-player', 'me.unknownPlayer', { fid: request.fid });
  if (verdict === 'busy') return refuse('game-busy', 'me.gameBusy');
  if (verdict === 'refused') return refuse('game-refused', 'me.gameRefused');
  return verdict;
}

/**
 * Puts the player on the roster and links the member (an `open` alliance, or an admin's approval). Without a checked
 * state, the state the game refused is recorded as wrong so that the state search starts after it.
 */
export async function admit(
  deps: Pick<SelfServiceDeps, 'store' | 'log'>,
  input: {
    alliance: AllianceRecord;
    fid: string;
    userId: string;
    state: number | null;
    triedState: number | null;
    /** The language of the result's texts. */
    lang: Language;
    /** The member's Discord locale, kept with the link for their DMs. */
    locale: string | null;
  },
): Promise<LinkResult> {
  const { store, log } = deps;
  const { alliance, fid, userId, state, lang } = input;
  const guildId = alliance.guildId;
  const linked = await store.memberLinks.link({ guildId, game: alliance.game, fid, userId, locale: input.locale });
  if (!linked.linked) {
    log.info({ event: EVENTS.selfServiceRefused, guildId, userId, fid, reason: linked.reason }, 'link refused');
    return linked.reason === 'taken'
      ? refusal(lang, linked.reason, 'me.takenByOther')
      : refusal(lang, linked.reason, 'me.alreadyLinkedOther', { fid: linked.existing.fid });
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
      text: t(lang, 'me.linked', { fid, state, alliance: alliance.name }),
      alliance,
      member: added.member,
      catchUp: added.created,
    };
  await store.members.setState(guildId, fid, input.triedState, input.triedState === null ? 'unknown' : 'wrong');
  return { kind: 'search-state', text: stateSearching(lang, fid, input.triedState), alliance, fid };
}

/** Links the member to a player already on a roster of the server (no check, no roster change). */
async function linkListed(
  deps: SelfServiceDeps,
  request: LinkRequest,
  listed: MemberRecord,
  roster: AllianceRecord,
): Promise<Extract<LinkResult, { kind: 'linked' | 'refused' }>> {
  const { store, log } = deps;
  const { guildId, userId, fid } = request;
  const linked = await store.memberLinks.link({ guildId, game: listed.game, fid, userId, locale: request.locale });
  if (!linked.linked) {
    log.info({ event: EVENTS.selfServiceRefused, guildId, userId, fid, reason: 'taken' }, 'link refused');
    return refusal(request.lang, 'taken', 'me.takenByOther');
  }
  log.info(
    { event: EVENTS.selfServiceLinked, guildId, allianceId: roster.id, userId, fid, how: 'listed' },
    'member linked',
  );
  return {
    kind: 'linked',
    text:
      listed.state !== null
        ? t(request.lang, 'me.alreadyOnRoster', { fid, state: listed.state, alliance: roster.name })
        : t(request.lang, 'me.alreadyOnRosterNoState', { fid, alliance: roster.name }),
    alliance: roster,
    member: listed,
    catchUp: false,
  };
}

/**
 * A listed player whose member gave another state: the game said whether it is right. Right: the roster takes it,
 * the rows refused for a wrong state open again and the codes missed are redeemed (catch-up). Wrong: the state search.
 */
async function fixState(
  deps: SelfServiceDeps,
  request: LinkRequest,
  listed: MemberRecord,
  roster: AllianceRecord,
  state: number | null,
): Promise<LinkResult> {
  const { store, log } = deps;
  const { guildId, userId, fid } = request;
  const tried = request.state!;
  const linked = await linkListed(deps, request, listed, roster);
  if (linked.kind !== 'linked') return linked;
  if (state === null) {
    await store.members.setState(guildId, fid, tried, 'wrong');
    return { kind: 'search-state', text: stateSearching(request.lang, fid, tried), alliance: linked.alliance, fid };
  }
  await store.members.setState(guildId, fid, state, 'ok');
  const reopened = await store.ledger.reopenWrongState(listed.game, fid);
  await store.wrongStates.clear(listed.game, fid);
  log.info(
    {
      event: EVENTS.selfServiceLinked,
      guildId,
      allianceId: listed.allianceId,
      userId,
      fid,
      state,
      how: 'state-fixed',
      reopened,
    },
    'member fixed their state',
  );
  const member = (await store.members.get(guildId, fid)) ?? listed;
  return { ...linked, text: t(request.lang, 'me.stateFixed', { fid, state }), member, catchUp: true };
}

/** The state search starts: without a state tried, or after the game refused the one tried. */
function stateSearching(lang: Language, fid: string, tried: number | null): string {
  return tried === null ? t(lang, 'me.stateSearching', { fid }) : t(lang, 'me.stateSearchingWrong', { fid, tried });
}
