// The stores' view of members helping themselves: links of Discord users to players, who may join an alliance with
// /me link, and a player's or a server's redemption history.
import type { Game } from '../game/games.ts';
import type { LedgerRow } from './ledgerOutcome.ts';

/** Who may join an alliance with `/me link` (alliances.self_join). */
export type SelfJoinMode = 'open' | 'approve' | 'off';
export const SELF_JOIN_MODES: readonly SelfJoinMode[] = ['open', 'approve', 'off'];

/** A Discord user linked to a player of a server (member_links): one player per user per server, one user per player. */
export interface MemberLinkRecord {
  guildId: string;
  game: Game;
  fid: string;
  userId: string;
  /** A direct message when a code was redeemed for the player. */
  notify: boolean;
  /** When a DM to this user was refused (DMs closed): no more DMs until they turn notify on again. */
  dmClosedAt: number | null;
  linkedAt: number;
  /** The Discord locale of the member's last /me command: the language of their DMs. */
  locale: string | null;
}

export interface MemberLinkRepo {
  /**
   * Links the user to the player. `taken` when the player is linked to another user of the server (an admin unlinks
   * first); `other-player` when this user is already linked to another player. Linking again the same pair keeps it.
   */
  link(link: {
    guildId: string;
    game: Game;
    fid: string;
    userId: string;
    /** The member's Discord locale (kept for their DMs). */
    locale?: string | null;
  }): Promise<
    | { linked: true; link: MemberLinkRecord }
    | { linked: false; reason: 'taken' | 'other-player'; existing: MemberLinkRecord }
  >;
  /** The user's link in this server. */
  forUser(guildId: string, userId: string): Promise<MemberLinkRecord | null>;
  /** The link of this player in this server (a player has one roster entry per server, so fid is enough). */
  forPlayer(guildId: string, fid: string): Promise<MemberLinkRecord | null>;
  /** Removes the user's link (the player's roster entry and history stay); the link removed, or null. */
  unlinkUser(guildId: string, userId: string): Promise<MemberLinkRecord | null>;
  /** Removes the link of this player (an admin's unlink); the link removed, or null. */
  unlinkPlayer(guildId: string, fid: string): Promise<MemberLinkRecord | null>;
  /** Turns DMs on or off; turning them on forgets that DMs were closed. Null when the user is not linked. */
  setNotify(guildId: string, userId: string, on: boolean): Promise<MemberLinkRecord | null>;
  /** Keeps the member's Discord locale (their DMs speak it); nothing when the user is not linked. */
  rememberLocale(guildId: string, userId: string, locale: string): Promise<void>;
  /** Notes that a DM was refused, once: no DM is tried again until the user turns notify on. */
  markDmClosed(guildId: string, userId: string, at: number): Promise<void>;
  /** Links with notify on and DMs not known closed, for these players of this game (any server). */
  listToNotify(game: Game, fids: readonly string[]): Promise<MemberLinkRecord[]>;
}

/** One ledger row as people read it: with the player's name and alliance in a server when known. */
export type HistoryRow = Pick<LedgerRow, 'game' | 'fid' | 'code' | 'status' | 'reason' | 'errCode' | 'msg'> & {
  /** finished_at, else updated_at (epoch ms). */
  at: number;
  /** The player's name on the server's roster (null outside a server's view). */
  name: string | null;
  /** The name of the alliance whose roster lists the player (null when not listed). */
  allianceName: string | null;
};

export interface HistoryRepo {
  /** The player's latest ledger rows, newest first. */
  forPlayer(game: Game, fid: string, limit: number): Promise<HistoryRow[]>;
  /**
   * Every ledger row of the players on the server's rosters (members removed too) and of its runs, with name and
   * alliance from the roster; ordered by code, then player. `code` narrows it to one code.
   */
  forGuild(guildId: string, filter?: { code?: string }): Promise<HistoryRow[]>;
}
