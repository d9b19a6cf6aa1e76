import type { Config } from './config/config.ts';
import { GAMES, type Game } from './game/games.ts';
import { createGiftCodeClient, type GiftCodeClient } from './game/giftCodeClient.ts';
import { EVENTS } from './log/events.ts';
import type { Logger } from './log/logger.ts';
import { catchUpMembers } from './codes/catchUp.ts';
import { createStateDiscovery, type StateDiscovery } from './members/stateDiscovery.ts';
import { createActiveRuns, type ActiveRuns } from './locks/activeRuns.ts';
import { createLocalRateBudget } from './pacing/localRateBudget.ts';
import { createLocalOnlyRunLock, type RunLock } from './locks/runLock.ts';
import { createPlayerSpacing, type PlayerSpacing } from './pacing/playerSpacing.ts';
import { createDeferredRunScheduler, DEFERRED_TRIGGER, type DeferredRunScheduler } from './redeem/deferredRunScheduler.ts';
import type { RateBudget } from './pacing/rateBudget.ts';
import { createRedeemEngine, type RedeemEngine } from './redeem/redeemEngine.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import { createRedisCoordination } from './redis/redisCoordination.ts';
import { collectAppStatus, type AppStatus } from './status/appStatus.ts';
import { scopeStoreToShards } from './sharding/shardScope.ts';
import { openSqliteStore } from './store/sqlite/sqliteStore.ts';
import type { Store } from './store/types.ts';

export interface AppDeps {
  config: Config;
  log: Logger;
  /** Defaults to the SQLite file at config.databasePath. */
  store?: Store;
  /** Defaults to the in-process lock only (one process). */
  runLock?: RunLock;
}

export interface App {
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
  /** Prometheus metrics, when METRICS_PORT is set (served by src/ops/startOps.ts); the engine reports to it. */
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

/** Wires giftbot's parts together explicitly: every dependency is visible here. */
export function createApp(deps: AppDeps): App {
  const { config, log } = deps;
  const sharedStore = deps.store ?? openSqliteStore(config.databasePath);
  // A shard process (discord.js ShardingManager: SHARDS, SHARD_COUNT) works on the guilds of its own shards only.
  const store = config.coordination.shards ? scopeStoreToShards(sharedStore, config.coordination.shards) : sharedStore;
  const client = createGiftCodeClient({
    apiBases: config.apiBases,
    salts: config.signSalts,
    connectTimeoutMs: config.apiConnectTimeoutMs,
    readTimeoutMs: config.apiReadTimeoutMs,
  });

  // Several processes (REDIS_URL): one lock and one budget per API host, shared through Redis.
  const coordination = config.redisUrl
    ? createRedisCoordination({
        url: config.redisUrl,
        settings: config.coordination,
        ratePerWindow: config.ratePerMinute,
        rateWindowMs: config.rateWindowMs,
        rateMarginMs: config.rateMarginMs,
        rateMaxPauseMs: config.rateMaxPauseMs,
        instanceId: config.instanceId,
        log,
      })
    : null;

  // The budget is per API host (the server counts per client IP and host): games on one host share one budget.
  const budgets = new Map<string, RateBudget>();
  for (const game of GAMES) {
    const host = new URL(config.apiBases[game]).host;
    if (!budgets.has(host)) {
      budgets.set(
        host,
        coordination?.budgetFor(host) ?? createLocalRateBudget({
          limit: config.ratePerMinute,
          windowMs: config.rateWindowMs,
          ...(config.rateMarginMs !== null ? { marginMs: config.rateMarginMs } : {}),
          maxPauseMs: config.rateMaxPauseMs,
          onAdjust: (change) => log.warn({ event: EVENTS.apiBudgetAdjusted, host, ...change }, 'rate budget lowered to what the server allows'),
        }),
      );
    }
  }
  const budgetFor = (game: Game): RateBudget => budgets.get(new URL(config.apiBases[game]).host)!;

  const spacing = createPlayerSpacing(config.playerSpacingMs);
  const runLock = deps.runLock ?? coordination?.runLock ?? createLocalOnlyRunLock();
  const deferredRuns = createDeferredRunScheduler({
    store,
    log,
    // Through app.engine, read when a retry runs: the bot wraps the engine to report runs in the results channels.
    run: (row) => app.engine.processAutoRedeem(row.guildId, row.code, { trigger: DEFERRED_TRIGGER, ...(row.fids ? { fids: row.fids } : {}) }),
    // Without Redis nothing is ever deferred by the lock; with it, retrying while it is down would only defer again.
    canRun: () => (coordination ? coordination.health.reachable() === true : true),
    baseDelayMs: config.coordination.deferredRetryMs,
    maxDelayMs: config.coordination.deferredRetryMaxMs,
  });
  const status = (): Promise<AppStatus> =>
    collectAppStatus({ instanceId: config.instanceId, health: coordination?.health ?? null, budgets, deferredRuns: () => store.deferredRuns.list(), activeRuns });
  const logStatus = (): void =>
    void status().then(
      (current) => log.info({ event: EVENTS.status, status: current }, 'status'),
      () => undefined,
    );
  coordination?.health.onChange((reachable) => {
    if (reachable) deferredRuns.wake();
    logStatus();
  });
  const activeRuns = createActiveRuns();
  const metrics = config.ops.metricsPort !== null ? createMetrics({ activeRuns }) : null;
  const shutdown = new AbortController();
  const engine = createRedeemEngine({
    store,
    client,
    budgetFor,
    spacing,
    runLock,
    activeRuns,
    log,
    instanceId: config.instanceId,
    concurrency: config.redeemConcurrency,
    shutdownSignal: shutdown.signal,
    onDeferred: (request) => deferredRuns.defer(request),
    ...(metrics ? { observer: metrics } : {}),
  });
  const stateDiscovery = createStateDiscovery({
    store,
    client,
    budgetFor,
    spacing,
    activeRuns,
    log,
    // Found members get the codes they missed; `app` is only read once discovery runs, after it exists.
    catchUp: (guildId, fids) => catchUpMembers(app, guildId, fids),
    range: config.stateDiscoveryRange,
    shutdownSignal: shutdown.signal,
  });

  let closed = false;
  const app: App = {
    config,
    log,
    store,
    client,
    engine,
    stateDiscovery,
    activeRuns,
    runLock,
    spacing,
    budgetFor,
    metrics,
    deferredRuns,
    async start() {
      await coordination?.ready();
      deferredRuns.start();
      logStatus();
    },
    status,
    shutdownSignal: shutdown.signal,
    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort(new Error('shutting down'));
      await deferredRuns.close();
      await stateDiscovery.idle();
      await engine.idle();
      for (const budget of budgets.values()) await budget.close();
      await runLock.close();
      await coordination?.close();
      await client.close();
      await store.close();
    },
  };
  return app;
}
