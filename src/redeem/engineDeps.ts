import type { PacingDeps } from '../game/pacedCall.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import type { RunLock } from '../locks/runLock.ts';
import type { RetryPolicy } from '../pacing/retryPolicy.ts';
import type { Store } from '../store/types.ts';
import type { ExhaustedRetryPolicy } from './exhaustedRetry.ts';
import type { RunListener } from './runListener.ts';

/** What the runtime hands the engine: the store, the game client with its pacing, the locks and the listeners. */
export interface RedeemEngineDeps extends PacingDeps {
  store: Store;
  runLock: RunLock;
  activeRuns: ActiveRuns;
  /** Identifies this process in run records and lock tokens. */
  instanceId: string;
  /** Who watches every run (results-channel reporter, metrics), reruns and deferred runs included. */
  listeners?: readonly RunListener[];
  /** Calls in flight per run; the budget, not this, sets the pace. */
  concurrency?: number;
  /** The longest one API call can take (connect + read timeout); default 30 s. */
  callTimeoutMs?: number;
  retry?: RetryPolicy;
  /** When members left retry-exhausted by an automatic run are tried again. */
  exhaustedRetry?: ExhaustedRetryPolicy;
  /** Stops every run (graceful shutdown): no new calls, in-flight ones finish and are recorded. */
  shutdownSignal?: AbortSignal;
  /** Runs deferred because the shared lock did not answer, or lost it: how they are retried. */
  deferred?: {
    /** Whether retrying makes sense now (Redis answers). */
    canRun: () => boolean;
    baseDelayMs: number;
    maxDelayMs: number;
  };
}
