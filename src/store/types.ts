import type { Game } from '../game/games.ts';
import type { ImportBatch, ImportBatchResult } from './importTypes.ts';
import type { LedgerOutcome, LedgerRow, LedgerStatus } from './ledgerOutcome.ts';
import type { HistoryRepo, MemberLinkRepo, SelfJoinMode } from './selfServiceTypes.ts';
import type { Language } from '../i18n/languages.ts';
export type { LedgerOutcome, LedgerRow, LedgerStatus } from './ledgerOutcome.ts';
export type { ImportBatch, ImportBatchResult, ImportCounts } from './importTypes.ts';
export { SELF_JOIN_MODES } from './selfServiceTypes.ts';
export type { HistoryRepo, HistoryRow, MemberLinkRecord, MemberLinkRepo, SelfJoinMode } from './selfServiceTypes.ts';

/**
 * The store interface the rest of giftbot uses. Async on purpose: SQLite answers synchronously, but a shared store
 * for several hosts (PostgreSQL) must fit behind the same interface.
 */
export interface Store {
  /** Discord servers: what belongs to the server as a whole (its name, its admin role). */
  readonly guilds: GuildRepo;
  /** The alliances of each server: game, default state, auto-redeem, channels, priority. */
  readonly alliances: AllianceRepo;
  readonly members: MemberRepo;
  readonly codes: CodeRepo;
  readonly ledger: LedgerRepo;
  readonly runs: RunRepo;
  /** Runs waiting for the shared lock service (Redis) to answer again. */
  readonly deferredRuns: DeferredRunRepo;
  readonly wrongStates: WrongStateRepo;
  /** Every answer the game gave to a redemption call, append-only, written before the ledger row and never refused. */
  readonly journal: AnswerJournalRepo;
  /**
   * Writes everything an import brings (alliances, members, codes, redemption history) in ONE transaction, checks the
   * counts before committing, and rolls everything back when they do not add up. Fills in only what giftbot does not
   * know yet; never overwrites what it knows. `dryRun` runs the same transaction and rolls it back: the result says
   * exactly what a real run would change.
   */
  importBatch(batch: ImportBatch, options?: { dryRun?: boolean }): Promise<ImportBatchResult>;
  /** Whether a write goes through now (for /healthz). */
  checkWritable(): Promise<boolean>;
  close(): Promise<void>;
  /** Discord users linked to their player (`/me link`): who they are, whether they want a DM per code. */
  readonly memberLinks: MemberLinkRepo;
  /** The ledger read for people: one player's recent results, a server's history for an export. */
  readonly history: HistoryRepo;
}

/** A Discord server. Its alliances (AllianceRecord) carry everything about redeeming. */
export interface GuildRecord {
  id: string;
  name: string | null;
  adminRoleId: string | null;
}

export interface GuildRepo {
  /** Creates the server's row when missing (a first `/alliance add`, `guild add`, an import); never changes it otherwise except `name` when given. */
  ensure(guild: { id: string; name?: string | null }): Promise<GuildRecord>;
  update(id: string, changes: Partial<Omit<GuildRecord, 'id'>>): Promise<GuildRecord | null>;
  get(id: string): Promise<GuildRecord | null>;
  list(): Promise<GuildRecord[]>;
  /**
   * Removes a server with its alliances, roster, runs and deferred runs in one transaction; null when it is not set
   * up. The ledger (which player has which code) and the fencing tokens stay: they are per player and must never go back.
   */
  remove(id: string): Promise<{ alliances: number; members: number; runs: number } | null>;
}

/**
 * An alliance of a server: the unit people manage (roster, state, channels). Names are unique per server,
 * case-insensitively, among alliances not removed.
 */
export interface AllianceRecord {
  id: number;
  guildId: string;
  name: string;
  game: Game;
  defaultState: number | null;
  autoRedeem: boolean;
  resultChannelId: string | null;
  codesChannelId: string | null;
  /** Fan-out order for new codes: lower first. */
  fanoutPriority: number;
  /** Who may join with `/me link`: at once (`open`), after an admin's approval (`approve`, the default), nobody (`off`). */
  selfJoin: SelfJoinMode;
  /** The language of the alliance's channel posts; null: the server's preferred locale. */
  language: Language | null;
}

export type NewAlliance = Pick<AllianceRecord, 'guildId' | 'name' | 'game'> &
  Partial<Omit<AllianceRecord, 'id' | 'guildId' | 'name' | 'game'>>;

export interface AllianceRepo {
  /** Creates the alliance (and the server's row when missing). `name-taken` when the server has one of that name. */
  add(
    alliance: NewAlliance,
  ): Promise<
    { created: true; alliance: AllianceRecord } | { created: false; reason: 'name-taken'; existing: AllianceRecord }
  >;
  /** Changes settings; the game of an alliance never changes. A rename to a taken name throws. */
  update(id: number, changes: Partial<Omit<AllianceRecord, 'id' | 'guildId' | 'game'>>): Promise<AllianceRecord | null>;
  get(id: number): Promise<AllianceRecord | null>;
  /** Case-insensitive, among alliances not removed. */
  byName(guildId: string, name: string): Promise<AllianceRecord | null>;
  /** Alliances not removed, ordered by fan-out priority, creation, id. */
  list(filter?: {
    guildId?: string;
    game?: Game;
    autoRedeem?: boolean;
    codesChannelId?: string;
  }): Promise<AllianceRecord[]>;
  /**
   * Removes the alliance and takes its members off the roster, in one transaction; the ledger, runs and every
   * player's history stay. Null when there is no such alliance.
   */
  remove(id: number): Promise<{ members: number } | null>;
}

export type StateStatus = 'unknown' | 'ok' | 'wrong';

export interface MemberRecord {
  guildId: string;
  /** The alliance whose roster lists the player: a player is on at most one roster per server. */
  allianceId: number;
  /** The alliance's game (read with the member, so callers need not look the alliance up). */
  game: Game;
  fid: string;
  state: number | null;
  stateStatus: StateStatus;
  name: string | null;
  addedBy: string | null;
  addedAt: number;
}

export interface NewMember {
  fid: string;
  state?: number | null;
  name?: string | null;
  addedBy?: string | null;
}

export interface MemberRepo {
  /**
   * Adds or reactivates the player on this alliance's roster; an existing member keeps fields not given. A player on
   * another alliance of the same server is moved here (history is per player, so it moves along): `movedFrom` says
   * from which alliance. Returns whether the player was new to the server's rosters.
   */
  add(
    allianceId: number,
    member: NewMember,
  ): Promise<{ created: boolean; movedFrom: number | null; member: MemberRecord }>;
  /** All-or-nothing add of many members to one alliance (imports). */
  addMany(
    allianceId: number,
    members: readonly NewMember[],
  ): Promise<{ created: number; updated: number; moved: number }>;
  /** Moves an active member to another alliance of the same server; null when the player is not on any roster. */
  move(guildId: string, fid: string, allianceId: number): Promise<{ from: number; member: MemberRecord } | null>;
  remove(guildId: string, fid: string): Promise<boolean>;
  get(guildId: string, fid: string): Promise<MemberRecord | null>;
  /** Active members of the server; `allianceIds` / `game` narrow it to those alliances' rosters. */
  list(guildId: string, filter?: { allianceIds?: readonly number[]; game?: Game }): Promise<MemberRecord[]>;
  setState(guildId: string, fid: string, state: number | null, status: StateStatus): Promise<void>;
  /** Flags every roster entry of this player in this game (the wrong-state answer is about the player). */
  flagWrongState(game: Game, fid: string): Promise<void>;
}

export { FINAL_CODE_STATUSES, type CodeStatus } from '../game/codeStatus.ts';
import type { CodeStatus } from '../game/codeStatus.ts';
import type { GiftCode } from '../game/giftCode.ts';

export interface CodeRecord {
  game: Game;
  code: GiftCode;
  status: CodeStatus;
  source: string;
  firstSeenAt: number;
  statusChangedAt: number;
  validationErrCode: number | null;
  validationMsg: string | null;
  fanoutDoneAt: number | null;
  recheckCount: number;
  /** When code discovery took the code on (validation, then fan-out); null for codes known otherwise. */
  fanoutStartedAt: number | null;
}

export interface CodeRepo {
  /** Inserts a new code; an existing one is returned unchanged with created=false. */
  add(game: Game, code: string, source: string): Promise<{ created: boolean; code: CodeRecord }>;
  get(game: Game, code: string): Promise<CodeRecord | null>;
  setStatus(
    game: Game,
    code: string,
    status: CodeStatus,
    raw?: { errCode?: number | null; msg?: string | null },
  ): Promise<void>;
  /** A known-invalid code seen again: back to `new` once (it may have been reactivated). Returns false when already rechecked. */
  reopenForRecheck(game: Game, code: string): Promise<boolean>;
  markFanoutDone(game: Game, code: string): Promise<void>;
  /** Code discovery took the code on: until markFanoutDone, a restart resumes its fan-out. */
  markFanoutStarted(game: Game, code: string): Promise<void>;
  list(filter?: { game?: Game; statuses?: readonly CodeStatus[] }): Promise<CodeRecord[]>;
}

export const FINAL_LEDGER_STATUSES: readonly LedgerStatus[] = ['success', 'already', 'failed'];

export function isFinalLedgerStatus(status: unknown): boolean {
  return FINAL_LEDGER_STATUSES.includes(status as LedgerStatus);
}

/** A pending claim of another guild's run older than this is taken to be from a dead process (both stores). */
export const FOREIGN_CLAIM_STALE_MS = 5 * 60_000;

export interface RunScope {
  guildId: string;
  game: Game;
  code: string;
  fence: number;
  runId: number;
}

export type ClaimResult = 'claimed' | 'final' | 'stale-fence' | 'claimed-elsewhere';
export type RecordResult = 'recorded' | 'stale-fence' | 'already-final';

export interface LedgerRepo {
  /** Takes the next fencing token for (guild, code); the run keeps it. */
  nextFence(guildId: string, game: Game, code: string): Promise<number>;
  currentFence(guildId: string, game: Game, code: string): Promise<number>;
  /** In one transaction: the row is not final, our fence is current, and no live claim of another guild holds it. */
  claim(scope: RunScope, fid: string): Promise<ClaimResult>;
  /** Same fence check; a final status is never overwritten. */
  record(scope: RunScope, fid: string, outcome: LedgerOutcome): Promise<RecordResult>;
  /**
   * Withdraws this run's claim whose call was never sent (the run stopped between the claim and the call): the
   * attempt is not counted and the row is open again — or gone, when the claim created it. Anything else is left.
   */
  unclaim(scope: RunScope, fid: string): Promise<void>;
  get(game: Game, fid: string, code: string): Promise<LedgerRow | null>;
  listForCode(game: Game, code: string): Promise<LedgerRow[]>;
  /** fids (of the given ones) whose row for this code is final. */
  finalFids(game: Game, code: string, fids: readonly string[]): Promise<Set<string>>;
  /** Writes rows known from elsewhere (an import): only where no final row exists. */
  importFinal(
    rows: readonly { game: Game; fid: string; code: string; guildId: string; outcome: LedgerOutcome }[],
  ): Promise<number>;
  /** Makes a player's wrong-state rows non-final again once the state has been fixed. */
  reopenWrongState(game: Game, fid: string): Promise<number>;
  countByStatus(game: Game, code: string): Promise<Record<LedgerStatus, number>>;
}

export type RunOutcome =
  | 'running'
  | 'completed'
  | 'code-invalid'
  | 'config-error'
  | 'aborted'
  | 'interrupted'
  | 'failed';

export interface RunRecord {
  id: number;
  guildId: string;
  game: Game;
  code: GiftCode;
  /** The alliances this run covered (ids). */
  allianceIds: number[];
  trigger: string;
  fence: number;
  owner: string;
  startedAt: number;
  finishedAt: number | null;
  outcome: RunOutcome;
  counts: Record<string, number> | null;
  message: string | null;
}

export interface RunRepo {
  start(run: {
    guildId: string;
    game: Game;
    code: string;
    allianceIds: readonly number[];
    trigger: string;
    fence: number;
    owner: string;
  }): Promise<RunRecord>;
  finish(
    id: number,
    outcome: Exclude<RunOutcome, 'running'>,
    counts: Record<string, number>,
    message?: string | null,
  ): Promise<void>;
  get(id: number): Promise<RunRecord | null>;
  /** Runs still marked running; after a crash these are the ones to resume. */
  listRunning(filter?: { owner?: string }): Promise<RunRecord[]>;
  /** Runs still marked running by owners that are gone become interrupted; returns them. */
  markInterrupted(ids: readonly number[]): Promise<void>;
  listRecent(guildId: string, limit: number): Promise<RunRecord[]>;
}

/** States the game said a player is not in (USER INFO ERROR to a discovery probe): a search resumes where it stopped. */
export interface WrongStateRepo {
  record(game: Game, fid: string, kid: number, raw?: { errCode?: number | null; msg?: string | null }): Promise<void>;
  list(game: Game, fid: string): Promise<number[]>;
  /** How many states were ruled out per player (of the given ones). */
  counts(game: Game, fids: readonly string[]): Promise<Map<string, number>>;
  /** Forgets the search: the state was found, or the admin starts over. Returns the rows removed. */
  clear(game: Game, fid: string): Promise<number>;
}

/** A run that could not start (or lost its lock) because the shared lock service did not answer. */
export interface DeferredRun {
  guildId: string;
  game: Game;
  code: GiftCode;
  /** What first asked for the run (auto, manual, catch-up…). */
  trigger: string;
  /** Only these members; null for every member. */
  fids: string[] | null;
  /** Only these alliances (ids); null for every alliance of the code's game in the server. */
  allianceIds: number[] | null;
  reason: string | null;
  deferredAt: number;
  attempts: number;
  nextAttemptAt: number;
  version: number;
}

export interface DeferredRunRepo {
  /**
   * Records a deferral, merging with one already recorded for the same (guild, code): fids and alliance ids are
   * united (null, every member / alliance, wins) and the earlier of the two next attempts is kept.
   */
  defer(run: {
    guildId: string;
    game: Game;
    code: string;
    trigger: string;
    fids: readonly string[] | null;
    allianceIds: readonly number[] | null;
    reason: string;
    nextAttemptAt: number;
  }): Promise<DeferredRun>;
  /**
   * Atomically takes up to `limit` due rows (next attempt at or before `now`) and pushes their next attempt `leaseMs`
   * ahead, so that of several processes sharing the store only one retries a row at a time.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<DeferredRun[]>;
  /** After a failed attempt: counts it and sets the next one. */
  reschedule(key: { guildId: string; game: Game; code: string }, nextAttemptAt: number, reason: string): Promise<void>;
  /** Removes the row unless a new trigger was merged in since `version` was read. Returns whether it was removed. */
  remove(key: { guildId: string; game: Game; code: string }, version: number): Promise<boolean>;
  list(): Promise<DeferredRun[]>;
}

/** One answer the game gave (or the transport error in its place), as the journal keeps it. */
export interface JournalEntry {
  id: number;
  runId: number | null;
  fence: number;
  guildId: string;
  game: Game;
  fid: string;
  code: string;
  /** 0 when no HTTP answer arrived (timeout, reset): the call may still have reached the game. */
  httpStatus: number | null;
  errCode: number | null;
  msg: string | null;
  /** The classifier's verdict (success, already-redeemed, member-final, code-final, retry-later, config-error). */
  kind: string;
  at: number;
}

export interface AnswerJournalRepo {
  /** Appends one answer. No fence check: a superseded run's answer is kept too, which is the point. */
  append(entry: Omit<JournalEntry, 'id'>): Promise<void>;
  listForCode(game: Game, code: string): Promise<JournalEntry[]>;
  /** The latest answer per (game, player) at or after `since` (epoch ms): the per-player spacing survives a restart. */
  lastCalls(since: number): Promise<{ game: Game; fid: string; at: number }[]>;
}
