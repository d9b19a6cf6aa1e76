import type { Redis } from 'ioredis';
import type { CoordinationConfig } from '../config/coordinationConfig.ts';
import type { Logger } from '../log/logger.ts';
import { createLocalRateBudget } from '../pacing/localRateBudget.ts';
import { createRedisRunLock } from '../locks/redisRunLock.ts';
import type { RunLock } from '../locks/runLock.ts';
import type { RateBudget } from '../pacing/rateBudget.ts';
import type { PlayerSpacing } from '../pacing/playerSpacing.ts';
import { createRedisPlayerSpacing } from '../pacing/redisPlayerSpacing.ts';
import { createRedisRateBudget } from '../pacing/redisRateBudget.ts';
import { closeRedisClient, createRedisClient, waitForRedisReady } from '../redis/createRedisClient.ts';
import { createRedisHealth, type RedisHealth } from '../redis/redisHealth.ts';

/**
 * Everything several giftbot processes share through Redis, wired once by `startRuntime` (src/runtime.ts): the run
 * lock, one rate budget per API host (with a local fallback at this process's share), and the reachability monitor.
 *
 * Two clients: lock renewals must never queue behind budget traffic. Neither has an offline queue, so a command sent
 * before the connection is up fails at once; the lock and the budgets therefore wait (at most
 * `redisStartupWaitMs`, once) for the first connection before their first command. A Redis that is down at start
 * does not stop giftbot: runs are deferred and the budget runs on its local share until Redis answers.
 */
export interface RedisCoordination {
  readonly runLock: RunLock;
  /** The shared budget for an API host from this process's egress address (created on first use, one per host). */
  budgetFor(host: string): RateBudget;
  readonly health: RedisHealth;
  /** The per-player gap kept across processes on top of this process's own spacing (on the budget connection). */
  playerSpacing(local: PlayerSpacing, gapMs: number): PlayerSpacing;
  /** Resolves once start-up has connected, or given up waiting (false); never rejects. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisCoordinationOptions {
  url: string;
  settings: CoordinationConfig;
  /** The configured budget per API host and window, for all processes together. */
  ratePerWindow: number;
  rateWindowMs: number;
  /** Safety gap added to each window; null: the budgets' automatic margins. */
  rateMarginMs: number | null;
  /** RATE_LIMIT_MAX_PAUSE_MS: the longest pause an answer can impose; default 5 min. */
  rateMaxPauseMs?: number;
  instanceId: string;
  /**
   * EGRESS_ADDRESS: the budgets' identity. The game counts per client address, so processes sending from one address
   * share one budget and processes on different addresses (hosts) each have their own; null: 'default'.
   */
  egress: string | null;
  log: Logger;
}

export function createRedisCoordination(options: RedisCoordinationOptions): RedisCoordination {
  const { settings, log } = options;
  const client = (role: string): Redis =>
    createRedisClient({
      url: options.url,
      log,
      connectionName: `giftbot-${role}:${options.instanceId}`,
      commandTimeoutMs: settings.redisCommandTimeoutMs,
      connectTimeoutMs: Math.max(settings.redisCommandTimeoutMs, 1_000),
      maxReconnectDelayMs: Math.min(5_000, Math.max(200, Math.floor(settings.lockTtlMs / 3))),
    });
  const lockClient = client('lock');
  const budgetClient = client('budget');
  const health = createRedisHealth({
    client: lockClient,
    log,
    intervalMs: Math.max(250, Math.min(1_000, Math.floor(settings.lockTtlMs / 3))),
  });

  const startup = Promise.all([
    waitForRedisReady(lockClient, settings.redisStartupWaitMs),
    waitForRedisReady(budgetClient, settings.redisStartupWaitMs),
  ]).then(async ([lockReady, budgetReady]) => (await health.check()) && lockReady && budgetReady);
  let started = false;
  void startup.then(() => (started = true));

  const lock = createRedisRunLock({
    redis: lockClient,
    log,
    keyPrefix: settings.redisKeyPrefix,
    ttlMs: settings.lockTtlMs,
    maxHoldMs: settings.lockMaxHoldMs,
    instanceId: options.instanceId,
  });
  const runLock: RunLock = {
    async acquire(key) {
      if (!started) await startup;
      return await lock.acquire(key);
    },
    ping: () => lock.ping(),
    close: () => lock.close(),
  };

  // While Redis is unreachable each process may spend only its share, so that together they stay under the limit.
  const share = Math.max(1, Math.floor(options.ratePerWindow / settings.expectedProcesses));
  const budgets = new Map<string, { shared: RateBudget; fallback: RateBudget; gated: RateBudget }>();

  function budgetFor(host: string): RateBudget {
    const existing = budgets.get(host);
    if (existing) return existing.gated;
    const margin = options.rateMarginMs;
    const maxPause = options.rateMaxPauseMs !== undefined ? { maxPauseMs: options.rateMaxPauseMs } : {};
    const fallback = createLocalRateBudget({
      limit: share,
      windowMs: options.rateWindowMs,
      ...(margin !== null ? { marginMs: margin } : {}),
      ...maxPause,
    });
    const shared = createRedisRateBudget({
      redis: budgetClient,
      log,
      key: budgetKey(settings.redisKeyPrefix, options.egress, host),
      limit: options.ratePerWindow,
      windowMs: options.rateWindowMs,
      fallback,
      ...(margin !== null ? { safetyMarginMs: margin } : {}),
      probeIntervalMs: Math.min(1_000, Math.max(100, settings.redisCommandTimeoutMs)),
      // Room for the other processes' fallback grants not yet written back when this one returns from an outage.
      peerFallbackSlots: (settings.expectedProcesses - 1) * share,
      ...maxPause,
    });
    const gated: RateBudget = {
      async acquire(acquireOptions) {
        if (!started) await startup;
        return await shared.acquire(acquireOptions);
      },
      observe: (feedback) => shared.observe(feedback),
      snapshot: () => shared.snapshot(),
      close: () => shared.close(),
    };
    budgets.set(host, { shared, fallback, gated });
    return gated;
  }

  let closing: Promise<void> | undefined;
  return {
    runLock,
    budgetFor,
    health,
    playerSpacing: (local, gapMs) =>
      createRedisPlayerSpacing({
        redis: budgetClient,
        keyPrefix: settings.redisKeyPrefix,
        gapMs,
        local,
        instanceId: options.instanceId,
        log,
      }),
    ready: () => startup,
    close() {
      closing ??= (async () => {
        for (const { shared, fallback } of budgets.values()) {
          await shared.close();
          await fallback.close();
        }
        await lock.close();
        health.close();
        await Promise.all([closeRedisClient(lockClient), closeRedisClient(budgetClient)]);
      })();
      return closing;
    },
  };
}

/** The Redis key of the budget for one API host as seen from one egress address. */
export function budgetKey(prefix: string, egress: string | null, host: string): string {
  return `${prefix}:budget:${egress ?? 'default'}:${host}`;
}
