import type { Classification } from '../game/classifyAnswer.ts';
import type { Game } from '../game/games.ts';
import type { RunSummary } from './runSummary.ts';

/**
 * What the engine reports as it works, for metrics (src/ops/metrics.ts implements it with prom-client; the engine
 * knows nothing of Prometheus). Typed calls rather than parsed log lines: metrics stay right whatever LOG_LEVEL is
 * (per-call latency is only logged at debug). Every method is optional, synchronous and must not throw.
 */
export interface RedeemObserver {
  /** One answer (or transport failure) from the game API. */
  apiCall?(call: { game: Game; httpStatus: number; durationMs: number; kind: Classification['kind']; reason: string | null }): void;
  /** A member's result for this run: the same outcomes the run summary counts. */
  memberOutcome?(result: { game: Game; outcome: 'success' | 'already' | 'failed' | 'retry-exhausted' }): void;
  /** A second trigger refused while a run of the same (guild, code) is active. */
  duplicateRefused?(info: { game: Game; layer: 'local' | 'redis' }): void;
  lockEvent?(event: 'acquired' | 'released' | 'busy' | 'unavailable' | 'lost' | 'stale-fence'): void;
  /** Every processAutoRedeem call, whatever its status (duplicate, refused and deferred included). */
  runEnded?(summary: RunSummary): void;
}
