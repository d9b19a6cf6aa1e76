import type { Config } from '../config/config.ts';
import type { PacingDeps } from '../game/pacedCall.ts';
import type { Logger } from '../log/logger.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import type { FeedPollOutcome } from '../ops/metrics.ts';
import type { RedeemEngine } from '../redeem/engine.ts';
import type { Store } from '../store/types.ts';

/**
 * What code discovery uses of the rest of giftbot, handed over by the runtime: the store, the engine, the game client
 * with its pacing (for the one check of a new code), and the discovery settings. Nothing else.
 */
export interface CodesDeps extends PacingDeps {
  config: Pick<Config, 'discovery'>;
  store: Store;
  engine: Pick<RedeemEngine, 'processAutoRedeem'>;
  activeRuns: Pick<ActiveRuns, 'list'>;
  log: Logger;
  /** The process is shutting down: no new work. */
  shutdownSignal: AbortSignal;
  /** Counts feed polls when metrics are on. */
  metrics: { feedPolled(feed: string, outcome: FeedPollOutcome): void } | null;
}
