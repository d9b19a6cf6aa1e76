import type { Game } from '../game/games.ts';

/** A ledger row's status: `pending` while a call may be in flight, `retry` until a final answer, then final. */
export type LedgerStatus = 'pending' | 'retry' | 'success' | 'already' | 'failed';

/** What a call (or an import) writes into a ledger row. */
export interface LedgerOutcome {
  status: Exclude<LedgerStatus, 'pending'>;
  reason?: string | null;
  errCode?: number | null;
  msg?: string | null;
}

/** One (player, code) row of the ledger as the stores read it. */
export interface LedgerRow {
  game: Game;
  fid: string;
  code: string;
  status: LedgerStatus;
  reason: string | null;
  errCode: number | null;
  msg: string | null;
  attempts: number;
  guildId: string;
  fence: number;
  runId: number | null;
  claimedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
}
