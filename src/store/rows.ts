import type { Game } from '../game/games.ts';
import type {
  AllianceRecord,
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
  SelfJoinMode,
  StateStatus,
} from './types.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { isLanguage, type Language } from '../i18n/languages.ts';

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

/** A JSON text array of ids (runs.alliance_ids, deferred_runs.alliance_ids); null stays null. */
function idList(value: unknown): number[] | null {
  const json = text(value);
  return json === null ? null : (JSON.parse(json) as unknown[]).map(Number);
}

/** The legacy columns of `guilds` (game, state, channels, priority) are no longer read: alliances carry them. */
export function toGuild(row: Row): GuildRecord {
  return {
    id: String(row.id),
    name: text(row.name),
    adminRoleId: text(row.admin_role_id),
  };
}

export function toAlliance(row: Row): AllianceRecord {
  return {
    id: Number(row.id),
    guildId: String(row.guild_id),
    name: String(row.name),
    game: row.game as Game,
    defaultState: num(row.default_state),
    autoRedeem: Number(row.auto_redeem) === 1,
    resultChannelId: text(row.result_channel_id),
    codesChannelId: text(row.codes_channel_id),
    fanoutPriority: Number(row.fanout_priority),
    selfJoin: (text(row.self_join) ?? 'approve') as SelfJoinMode,
    language: knownLanguage(text(row.language)),
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

/** A member row joined with its alliance's game (`SELECT m.*, a.game FROM members m JOIN alliances a …`). */
export function toMember(row: Row): MemberRecord {
  return {
    guildId: String(row.guild_id),
    allianceId: Number(row.alliance_id),
    game: row.game as Game,
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
    // Runs from before migration 60 carry no list: [] (the run covered the server's only alliance).
    allianceIds: idList(row.alliance_ids) ?? [],
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
    allianceIds: idList(row.alliance_ids),
    reason: text(row.reason),
    deferredAt: Number(row.deferred_at),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    version: Number(row.version),
  };
}

/** GuildRecord fields to their columns (updates set only the fields given). */
export const GUILD_COLUMNS: Record<Exclude<keyof GuildRecord, 'id'>, string> = {
  name: 'name',
  adminRoleId: 'admin_role_id',
};

/** AllianceRecord fields an update may change, to their columns (the game and server never change). */
export const ALLIANCE_COLUMNS: Record<Exclude<keyof AllianceRecord, 'id' | 'guildId' | 'game'>, string> = {
  name: 'name',
  defaultState: 'default_state',
  autoRedeem: 'auto_redeem',
  resultChannelId: 'result_channel_id',
  codesChannelId: 'codes_channel_id',
  fanoutPriority: 'fanout_priority',
  selfJoin: 'self_join',
  language: 'language',
};

/** A value for a column: flags are 0/1, undefined is NULL. */
export function toSqlValue(value: unknown): string | number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as string | number | null;
}

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

/** A stored language setting, if it is one giftbot still speaks (a language dropped later reads as unset). */
function knownLanguage(value: string | null): Language | null {
  return value !== null && isLanguage(value) ? value : null;
}
