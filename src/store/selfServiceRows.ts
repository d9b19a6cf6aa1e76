import type { Game } from '../game/games.ts';
import { num, text, toLedgerRow, type Row } from './rows.ts';
import type { HistoryRow, MemberLinkRecord } from './types.ts';

/** member_links rows to records (both stores keep the same columns and value shapes). */
export function toMemberLink(row: Row): MemberLinkRecord {
  return {
    guildId: String(row.guild_id),
    game: row.game as Game,
    fid: String(row.fid),
    userId: String(row.user_id),
    notify: Number(row.notify) === 1,
    dmClosedAt: num(row.dm_closed_at),
    linkedAt: Number(row.linked_at),
    locale: text(row.locale),
  };
}

/** A ledger row with the roster's name and alliance (`member_name`, `alliance_name`), as the history queries read it. */
export function toHistoryRow(row: Row): HistoryRow {
  const { game, fid, code, status, reason, errCode, msg, finishedAt, updatedAt } = toLedgerRow(row);
  return {
    game,
    fid,
    code,
    status,
    reason,
    errCode,
    msg,
    at: finishedAt ?? updatedAt,
    name: text(row.member_name),
    allianceName: text(row.alliance_name),
  };
}

/**
 * The history of a server: ledger rows of players on its rosters (of the roster's game, removed members too) and of
 * its own runs. Placeholders: `?1` the guild id, `?2` the code or NULL for every code; each store rewrites them.
 */
export const GUILD_HISTORY_SQL = `
  SELECT l.*, m.name AS member_name, a.name AS alliance_name
  FROM ledger l
  LEFT JOIN members m ON m.guild_id = ?1 AND m.fid = l.fid
  LEFT JOIN alliances a ON a.id = m.alliance_id AND a.game = l.game
  WHERE (l.guild_id = ?1 OR a.id IS NOT NULL) AND (?2 IS NULL OR l.code = ?2)
  ORDER BY l.code, l.fid`;

export const PLAYER_HISTORY_SQL = `
  SELECT l.*, NULL AS member_name, NULL AS alliance_name
  FROM ledger l WHERE l.game = ?1 AND l.fid = ?2
  ORDER BY COALESCE(l.finished_at, l.updated_at) DESC, l.code LIMIT ?3`;
