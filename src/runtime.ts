/**
 * The one wiring place: every part of giftbot is built here, in order — store, game client, pacing, locks, engine
 * (with its run listeners), state search, code discovery, Discord, ops — and handed the few parts it uses. Nothing is
 * patched after it is built. `createCore` is the part without Discord (the CLI, the demo, the benchmark and tests use
 * it); `startBot` adds Discord around it; `startRuntime` is what `npm start` runs.
 *
 * Over 400 lines on purpose: the brief asks for explicit wiring in ONE place, and splitting it would scatter the
 * order in which parts are built (and stopped) over several files.
 */
import { dirname, join } from 'node:path';
import type { Config } from './config/config.ts';
import { createDiscovery } from './codes/createDiscovery.ts';
import { catchUpMembers } from './codes/catchUp.ts';
import { connectBot, type Bot } from './discord/connectBot.ts';
import { createDiscordClient } from './discord/createDiscordClient.ts';
import { createLiveRuns } from './discord/runs/liveRuns.ts';
import { createRunReporter } from './discord/runs/runReporter.ts';
import { GAMES, type Game } from './game/games.ts';
import { createGiftCodeClient } from './game/giftCodeClient.ts';
import { EVENTS } from './log/events.ts';
import type { Logger } from './log/logger.ts';
import { createActiveRuns, type ActiveRuns } from './locks/activeRuns.ts';
import { createLocalOnlyRunLock, type RunLock } from './locks/runLock.ts';
import { createStateDiscovery } from './members/stateDiscovery.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import { startOps, type Ops } from './ops/startOps.ts';
import { StartupError } from './ops/startupError.ts';
import { createLocalRateBudget } from './pacing/localRateBudget.ts';
import { createPlayerSpacing } from './pacing/playerSpacing.ts';
import type { RateBudget } from './pacing/rateBudget.ts';
import { createRedeemEngine } from './redeem/engine.ts';
import type { RunListener } from './redeem/runListener.ts';
import { createRedisCoordination, type RedisCoordination } from './runtime/sharedCoordination.ts';
import { createProbeLimiter } from './selfService/probeLimiter.ts';
import { createRedeemedNotifier } from './selfService/notifyRedeemed.ts';
import { scopeStoreToShards } from './sharding/shardScope.ts';
import { sendDirectMessage } from './discord/selfService/sendDirectMessage.ts';
import { collectAppStatus, type AppStatus } from './status/appStatus.ts';
import { redactUrl } from './config/config.ts';
import { openPostgresStore } from './store/postgres/postgresStore.ts';
import { openSqliteStore } from './store/sqlite/sqliteStore.ts';
import type { Store } from './store/types.ts';
import type { Core } from './core.ts';

export interface CoreDeps {
  config: Config;
  log: Logger;
  /** The store from openStore(config, log). May be left out only for the SQLite file (it opens synchronously). */
  store?: Store;
  /** Defaults to the Redis lock when REDIS_URL is set, else the in-process lock only (one process). */
  runLock?: RunLock;
  /** Who watches every run besides the metrics (the results-channel reporter). */
  listeners?: readonly RunListener[];
  /** For the bot: whether Discord's gateway session is ready (the metrics show it). */
  discordConnected?: () => boolean;
}

/**
 * The configured store — PostgreSQL when DATABASE_URL is set (migrated before it is returned), else the SQLite file —
 * logged once as store.opened. A shard process (ShardingManager: SHARDS, SHARD_COUNT) works on its own shards' guilds.
 */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  let store: Store;
  if (config.postgres) {
    const opened = await openPostgresStore(config.postgres).catch((error: unknown) => {
      // Fail closed: no store, no runs. main.ts exits; the reason must be in the log.
      log.fatal(
        { event: EVENTS.storeOpenFailed, kind: 'postgres', url: redactUrl(config.postgres!.url), err: error },
        'cannot open the PostgreSQL store',
      );
      throw error;
    });
    if (opened.migrated.length > 0)
      log.info(
        { event: EVENTS.storeMigrated, kind: 'postgres', versions: opened.migrated },
        'database migrations applied',
      );
    log.info(
      {
        event: EVENTS.storeOpened,
        kind: 'postgres',
        url: redactUrl(config.postgres.url),
        poolMax: config.postgres.poolMax,
      },
      'store: PostgreSQL (DATABASE_URL; DATABASE_PATH is not used for data)',
    );
    store = opened;
  } else {
    store = openSqliteStore(config.databasePath);
    log.info({ event: EVENTS.storeOpened, kind: 'sqlite', path: config.databasePath }, 'store: SQLite file');
  }
  return scoped(config, store);
}

function scoped(config: Config, store: Store): Store {
  return config.coordination.shards ? scopeStoreToShards(store, config.coordination.shards) : store;
}

/** Without a store given: the SQLite file. PostgreSQL opens asynchronously, so its callers pass openStore's result. */
function defaultStore(config: Config): Store {
  if (config.postgres)
    throw new Error(
      'DATABASE_URL is set: open the store with `await openStore(config, log)` and pass it to createCore',
    );
  return scoped(config, openSqliteStore(config.databasePath));
}

export function createCore(deps: CoreDeps): Core {
  const { config, log } = deps;
  const store = deps.store ?? defaultStore(config);
  const client = createGiftCodeClient({
    apiBases: config.apiBases,
    salts: config.signSalts,
    connectTimeoutMs: config.apiConnectTimeoutMs,
    readTimeoutMs: config.apiReadTimeoutMs,
    localAddress: config.egressAddress,
  });

  const coordination = sharedCoordinationFor(config, log);
  const budgets = budgetsPerHost(config, log, (host) => coordination?.budgetFor(host));
  const budgetFor = (game: Game): RateBudget => budgets.get(new URL(config.apiBases[game]).host)!;
  // With Redis the per-player gap holds across processes (a player called by one is not called by another too soon).
  const localSpacing = createPlayerSpacing(config.playerSpacingMs);
  const spacing =
    coordination && config.playerSpacingMs > 0
      ? coordination.playerSpacing(localSpacing, config.playerSpacingMs)
      : localSpacing;
  const runLock = deps.runLock ?? coordination?.runLock ?? createLocalOnlyRunLock();
  const activeRuns = createActiveRuns();
  const metrics = metricsFor(config, {
    activeRuns,
    store,
    coordination,
    budgets,
    discordConnected: deps.discordConnected,
  });
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
    callTimeoutMs: config.apiConnectTimeoutMs + config.apiReadTimeoutMs,
    shutdownSignal: shutdown.signal,
    listeners: [...(deps.listeners ?? []), ...(metrics ? [metrics] : [])],
    deferred: {
      // Without Redis nothing is ever deferred by the lock; with it, retrying while it is down would only defer again.
      canRun: () => (coordination ? coordination.health.reachable() === true : true),
      baseDelayMs: config.coordination.deferredRetryMs,
      maxDelayMs: config.coordination.deferredRetryMaxMs,
    },
  });
  const stateDiscovery = createStateDiscovery({
    store,
    client,
    budgetFor,
    spacing,
    activeRuns,
    log,
    // Found members get the codes they missed.
    catchUp: (guildId, fids) => catchUpMembers({ store, engine, log, shutdownSignal: shutdown.signal }, guildId, fids),
    range: config.stateDiscoveryRange,
    shutdownSignal: shutdown.signal,
  });

  const status = (): Promise<AppStatus> =>
    collectAppStatus({
      instanceId: config.instanceId,
      health: coordination?.health ?? null,
      budgets,
      egress: config.egressAddress,
      deferredRuns: () => store.deferredRuns.list(),
      activeRuns,
    });
  const logStatus = (): void =>
    void status().then(
      (current) => log.info({ event: EVENTS.status, status: current }, 'status'),
      () => undefined,
    );
  coordination?.health.onChange((reachable) => {
    if (reachable) engine.deferredRuns.wake();
    logStatus();
  });

  let closed = false;
  return {
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
    deferredRuns: engine.deferredRuns,
    async start() {
      await coordination?.ready();
      engine.deferredRuns.start();
      logStatus();
    },
    status,
    shutdownSignal: shutdown.signal,
    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort(new Error('shutting down'));
      await engine.deferredRuns.close();
      await stateDiscovery.idle();
      await engine.idle();
      for (const budget of budgets.values()) await budget.close();
      await runLock.close();
      await coordination?.close();
      await client.close();
      await store.close();
    },
  };
}

/** Several processes (REDIS_URL): one lock and one budget per API host, shared through Redis; null for one process. */
function sharedCoordinationFor(config: Config, log: Logger): RedisCoordination | null {
  if (!config.redisUrl) return null;
  return createRedisCoordination({
    url: config.redisUrl,
    settings: config.coordination,
    ratePerWindow: config.ratePerMinute,
    rateWindowMs: config.rateWindowMs,
    rateMarginMs: config.rateMarginMs,
    rateMaxPauseMs: config.rateMaxPauseMs,
    instanceId: config.instanceId,
    egress: config.egressAddress,
    log,
  });
}

/** Prometheus metrics when METRICS_PORT is set (prom-client is loaded only then), fed by what they show. */
function metricsFor(
  config: Config,
  sources: {
    activeRuns: ActiveRuns;
    store: Store;
    coordination: RedisCoordination | null;
    budgets: ReadonlyMap<string, RateBudget>;
    discordConnected: (() => boolean) | undefined;
  },
): Metrics | null {
  if (config.ops.metricsPort === null) return null;
  const { coordination, store } = sources;
  return createMetrics({
    activeRuns: sources.activeRuns,
    ...(coordination ? { redisUp: () => coordination.health.reachable() } : {}),
    deferredRunsWaiting: async () => (await store.deferredRuns.list()).length,
    feeds: config.discovery.feeds.map((feed) => feed.name),
    budgets: () =>
      [...sources.budgets].map(([host, budget]) => ({
        host,
        egress: config.egressAddress ?? 'default',
        snapshot: () => budget.snapshot(),
      })),
    ...(sources.discordConnected ? { discordConnected: sources.discordConnected } : {}),
  });
}

/** One budget per API host (the server counts per client IP and host): games on one host share one budget. */
function budgetsPerHost(
  config: Config,
  log: Logger,
  shared: (host: string) => RateBudget | undefined,
): Map<string, RateBudget> {
  const budgets = new Map<string, RateBudget>();
  for (const game of GAMES) {
    const host = new URL(config.apiBases[game]).host;
    if (budgets.has(host)) continue;
    budgets.set(
      host,
      shared(host) ??
        createLocalRateBudget({
          limit: config.ratePerMinute,
          windowMs: config.rateWindowMs,
          ...(config.rateMarginMs !== null ? { marginMs: config.rateMarginMs } : {}),
          maxPauseMs: config.rateMaxPauseMs,
          onAdjust: (change) =>
            log.warn(
              { event: EVENTS.apiBudgetAdjusted, host, ...change },
              'rate budget lowered to what the server allows',
            ),
        }),
    );
  }
  return budgets;
}

/** Discord kills an interaction's token after 15 minutes; progress moves to the results channel a little before. */
export const INTERACTION_HANDOFF_MS = 13 * 60_000;

export interface StartBotOptions {
  config: Config;
  log: Logger;
  /** Tests shorten this to see a run move to the results channel. */
  interactionHandoffMs?: number;
  /** Where the registered-commands hash is kept; default: beside the database. */
  commandHashPath?: string;
  /** Codes redeemed for one member within this time go into one DM (`/me notify on`); tests shorten it. */
  dmBatchMs?: number;
}

/** Codes redeemed for one member within this time go into one direct message. */
export const DM_BATCH_MS = 30_000;

/**
 * giftbot on Discord: the core with the results-channel reporter among the engine's listeners (so every run of a
 * channel-reported trigger shows in the alliance's results channel, whoever starts it), code discovery, and the
 * Discord client logged in with its command router and background tasks.
 */
export async function startBot(options: StartBotOptions): Promise<Bot> {
  const { config, log } = options;
  const discord = config.discord;
  if (!discord) throw new Error('startBot needs DISCORD_TOKEN and DISCORD_APPLICATION_ID');
  const started = performance.now();
  log.info(
    {
      event: EVENTS.appStarting,
      instanceId: config.instanceId,
      commandScope: discord.commandScope,
      apiBase: discord.apiBase ?? 'discord.com',
    },
    'giftbot starting',
  );

  const store = await openStore(config, log);
  const client = createDiscordClient(discord);
  const liveRuns = createLiveRuns();
  const reporter = createRunReporter({ client, store, log, liveRuns, progressIntervalMs: discord.progressIntervalMs });
  // `/me notify on`: a DM per code redeemed for the member (batched), fed by the engine like the reporter.
  const notifier = createRedeemedNotifier({
    store,
    log,
    send: (userId, content) => sendDirectMessage(client, userId, content),
    batchMs: options.dmBatchMs ?? DM_BATCH_MS,
  });
  const core = createCore({
    config,
    log,
    store,
    listeners: [reporter, notifier],
    discordConnected: () => client.isReady(),
  });
  core.shutdownSignal.addEventListener('abort', () => notifier.stop(), { once: true });
  const discovery = createDiscovery(core);
  return connectBot({
    core,
    client,
    discovery,
    liveRuns,
    reporter,
    settings: { ...discord, interactionHandoffMs: options.interactionHandoffMs ?? INTERACTION_HANDOFF_MS },
    selfService: { limiter: createProbeLimiter() },
    commandHashPath: options.commandHashPath ?? join(dirname(config.databasePath), 'discord-commands.json'),
    started,
  });
}

export interface Runtime {
  bot: Bot;
  ops: Ops;
  /** Stops the watchdog and /healthz first, then discovery, runs, Discord, Redis and the store. */
  stopSteps: { name: string; run: () => Promise<void> }[];
}

/** What `npm start` runs with a Discord token: the bot, then the watchdog and /healthz + /metrics (METRICS_PORT). */
export async function startRuntime(config: Config, log: Logger): Promise<Runtime> {
  // A failed login is logged where it happens (discord.login_failed).
  const bot = await startBot({ config, log });
  let ops: Ops;
  try {
    const { app, client } = bot;
    ops = await startOps({
      config,
      log,
      store: app.store,
      activeRuns: app.activeRuns,
      runLock: app.runLock,
      metrics: app.metrics,
      discordReady: () => client.isReady(),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.fatal({ event: EVENTS.configInvalid, problems: [reason] }, 'cannot serve /healthz and /metrics');
    await bot.stop();
    throw new StartupError(`cannot serve /healthz and /metrics on METRICS_PORT ${config.ops.metricsPort}: ${reason}`, {
      cause: error,
    });
  }
  return {
    bot,
    ops,
    stopSteps: [
      { name: 'watchdog and /healthz', run: () => ops.stop() },
      { name: 'discovery, runs, Discord, Redis and the store', run: () => bot.stop() },
    ],
  };
}
