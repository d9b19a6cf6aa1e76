import type { Config } from './config/config.ts';
import type { Game } from './game/games.ts';
import type { GiftCodeClient } from './game/giftCodeClient.ts';
import type { Logger } from './log/logger.ts';
import type { ActiveRuns } from './locks/activeRuns.ts';
import type { RunLock } from './locks/runLock.ts';
import type { StateDiscovery } from './members/stateDiscovery.ts';
import type { Metrics } from './ops/metrics.ts';
import type { PlayerSpacing } from './pacing/playerSpacing.ts';
import type { RateBudget } from './pacing/rateBudget.ts';
import type { DeferredRunScheduler } from './redeem/deferredRunScheduler.ts';
import type { RedeemEngine } from './redeem/engine.ts';
import type { AppStatus } from './status/appStatus.ts';
import type { Store } from './store/types.ts';

/** giftbot without Discord: what the CLI, the demo, the benchmark and the bot's commands work with. */
export interface Core {
  config: Config;
  log: Logger;
  store: Store;
  client: GiftCodeClient;
  engine: RedeemEngine;
  /** Finds members' states by probing (`giftbot members resolve`, `/member resolve`). */
  stateDiscovery: StateDiscovery;
  activeRuns: ActiveRuns;
  runLock: RunLock;
  spacing: PlayerSpacing;
  budgetFor(game: Game): RateBudget;
  /** Prometheus metrics, when METRICS_PORT is set (served by src/ops/startOps.ts); one of the engine's listeners. */
  metrics: Metrics | null;
  /** Runs deferred because the shared lock (Redis) did not answer; retried once it does (after `start()`). */
  deferredRuns: DeferredRunScheduler;
  /**
   * For long-running processes (the bot), once at start-up: waits (at most REDIS_STARTUP_WAIT_MS) for Redis and
   * starts retrying deferred runs. Never fails because Redis is down. One-shot commands (the CLI) need not call it.
   */
  start(): Promise<void>;
  /** Redis reachable?, deferred runs, budget mode (shared/fallback), runs in progress: for `/giftbot status`. */
  status(): Promise<AppStatus>;
  /** Stops new work; in-flight calls finish and are recorded. */
  readonly shutdownSignal: AbortSignal;
  close(): Promise<void>;
}
