import type { Game } from '../game/games.ts';
import type {
  CodeRecord,
  CodeStatus,
  DeferredRun,
  GuildRecord,
  JournalEntry,
  LedgerRow,
  LedgerStatus,
  MemberRecord,
  RunOutcome,
  RunRecord,
  StateStatus,
} from './types.ts';
import type { GiftCode } from '../game/giftCode.ts';

/**
 * Table rows to records, for both stores: the PostgreSQL schema keeps SQLite's columns and value shapes (integers for
 * flags and epoch milliseconds, JSON as text), so one mapper reads either and `giftbot db migrate-to` copies columns
 * as they are.
 */
export type Row = Record<string, unknown>;

export function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function toGuild(row: Row): GuildRecord {
  return {
    id: String(row.id),
    game: row.game as Game,
    defaultState: num(row.default_state),
    autoRedeem: Number(row.auto_redeem) === 1,
    resultChannelId: text(row.result_channel_id),
    codesChannelId: text(row.codes_channel_id),
    adminRoleId: text(row.admin_role_id),
    fanoutPriority: Number(row.fanout_priority),
    name: text(row.name),
  };
}

/** Codes are written only through intake and the engine, which take normalised codes (GiftCode). */
export function toCode(row: Row): CodeRecord {
  return {
    game: row.game as Game,
    code: String(row.code) as GiftCode,
    status: row.status as CodeStatus,
    source: String(row.source),
    firstSeenAt: Number(row.first_seen_at),
    statusChangedAt: Number(row.status_changed_at),
    validationErrCode: num(row.validation_err_code),
    validationMsg: text(row.validation_msg),
    fanoutDoneAt: num(row.fanout_done_at),
    recheckCount: Number(row.recheck_count),
    fanoutStartedAt: num(row.fanout_started_at),
  };
}

export function toMember(row: Row): MemberRecord {
  return {
    guildId: String(row.guild_id),
    fid: String(row.fid),
    state: num(row.state),
    stateStatus: row.state_status as StateStatus,
    name: text(row.name),
    addedBy: text(row.added_by),
    addedAt: Number(row.added_at),
  };
}

export function toLedgerRow(row: Row): LedgerRow {
  return {
    game: row.game as Game,
    fid: String(row.fid),
    code: String(row.code),
    status: row.status as LedgerStatus,
    reason: text(row.reason),
    errCode: num(row.err_code),
    msg: text(row.msg),
    attempts: Number(row.attempts),
    guildId: String(row.guild_id),
    fence: Number(row.fence),
    runId: num(row.run_id),
    claimedAt: num(row.claimed_at),
    updatedAt: Number(row.updated_at),
    finishedAt: num(row.finished_at),
  };
}

export function toRun(row: Row): RunRecord {
  const counts = text(row.counts);
  return {
    id: Number(row.id),
    guildId: String(row.guild_id),
    game: row.game as Game,
    code: String(row.code) as GiftCode,
    trigger: String(row.trigger),
    fence: Number(row.fence),
    owner: String(row.owner),
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    outcome: row.outcome as RunOutcome,
    counts: counts ? (JSON.parse(counts) as Record<string, number>) : null,
    message: text(row.message),
  };
}

export function toDeferred(row: Row): DeferredRun {
  const fids = text(row.fids);
  return {
    guildId: String(row.guild_id),
    game: row.game as Game,
    code: String(row.code) as GiftCode,
    trigger: String(row.trigger),
    fids: fids === null ? null : (JSON.parse(fids) as string[]),
    reason: text(row.reason),
    deferredAt: Number(row.deferred_at),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    version: Number(row.version),
  };
}

/** GuildRecord fields to their columns (updates set only the fields given). */
export const GUILD_COLUMNS: Record<Exclude<keyof GuildRecord, 'id'>, string> = {
  game: 'game',
  defaultState: 'default_state',
  autoRedeem: 'auto_redeem',
  resultChannelId: 'result_channel_id',
  codesChannelId: 'codes_channel_id',
  adminRoleId: 'admin_role_id',
  fanoutPriority: 'fanout_priority',
  name: 'name',
};

export function toJournalEntry(row: Row): JournalEntry {
  return {
    id: Number(row.id),
    runId: num(row.run_id),
    fence: Number(row.fence),
    guildId: String(row.guild_id),
    game: row.game as Game,
    fid: String(row.fid),
    code: String(row.code),
    httpStatus: num(row.http_status),
    errCode: num(row.err_code),
    msg: text(row.msg),
    kind: String(row.kind),
    at: Number(row.at),
  };
}
