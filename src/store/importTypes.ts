import type { Game } from '../game/games.ts';
import type { CodeStatus } from '../game/codeStatus.ts';
import type { LedgerOutcome } from './ledgerOutcome.ts';

/** What `Store.importBatch` takes and answers (imports from another bot, `giftbot db migrate-to --merge`). */

/** What an import brings; see Store.importBatch. */
export interface ImportBatch {
  /** Recorded as the codes' source and the members' added_by, e.g. `import:whiteout-bot`. */
  source: string;
  guilds: readonly { id: string; name: string | null }[];
  /** Matched to giftbot's alliances by (guildId, name), case-insensitively. */
  alliances: readonly {
    guildId: string;
    name: string;
    game: Game;
    defaultState: number | null;
    /** null: leave giftbot's setting (a new alliance gets giftbot's default, on). */
    autoRedeem: boolean | null;
    resultChannelId: string | null;
    codesChannelId: string | null;
  }[];
  members: readonly {
    guildId: string;
    /** The alliance of `alliances` (same guildId) the member belongs to, by name. */
    allianceName: string;
    fid: string;
    state: number | null;
    name: string | null;
  }[];
  codes: readonly { game: Game; code: string; status: CodeStatus }[];
  /** Final results only (success / already / failed). */
  ledger: readonly { game: Game; fid: string; code: string; guildId: string; outcome: LedgerOutcome }[];
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Not written, with the reason in `notes`. */
  skipped: number;
}

export interface ImportBatchResult {
  dryRun: boolean;
  guilds: ImportCounts;
  alliances: ImportCounts;
  members: ImportCounts;
  codes: ImportCounts;
  ledger: ImportCounts;
  /** What the import left as it was, and why (a guild set up for another game, a state giftbot already knows…). */
  notes: string[];
  /** Rows found in the store after writing, before the commit: equal to what the batch should have produced. */
  verified: { guilds: number; alliances: number; members: number; codes: number; ledger: number };
}
