import type { Game } from '../game/games.ts';
import type { RunProgress } from './runSummary.ts';

/** Why a run started. `validate`: code discovery trying a new code on one member before the fan-out. */
export type RunTrigger =
  | 'auto'
  | 'validate'
  | 'manual'
  | 'cli'
  | 'resume'
  | 'catch-up'
  | 'rerun'
  | 'retry'
  | 'demo'
  | 'bench'
  | 'deferred';

export interface RedeemOptions {
  trigger: RunTrigger;
  /** The code's game; needed only when the server has alliances of both games and none is named. */
  game?: Game;
  /** Only these alliances (ids) of the server; absent for every alliance of the code's game. */
  allianceIds?: readonly number[];
  /** Only these members (catch-up for new members, /redeem member:, "Retry failed"). */
  fids?: readonly string[];
  /** Run on the in-process lock alone when the cross-process lock cannot be reached (an admin's choice; the ledger keeps it safe). */
  forceLocal?: boolean;
  /** Which automatic retry round this deferred run is (its row's attempt): the next round waits longer. */
  retryRound?: number;
  /** Called after every member's outcome, for live progress. */
  onProgress?: (progress: RunProgress) => void;
  /** Called once the run holds its locks, before the first call (Discord shows "started"). */
  onStart?: (info: { runId: number; total: number }) => void;
}
