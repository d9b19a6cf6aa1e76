import { readShardScope, type ShardScope } from '../sharding/shardScope.ts';

/**
 * Settings for running several giftbot processes (shards or instances) against one Redis: the run lock, the shared
 * rate budget, and what happens while Redis cannot be reached. They only matter when `REDIS_URL` is set.
 */
export interface CoordinationConfig {
  /** Redis lock expiry; the holder renews it every third of this. */
  lockTtlMs: number;
  /** The longest one run may hold its lock; the run then stops itself and the next run finishes the rest. */
  lockMaxHoldMs: number;
  /** Upper bound for one Redis command (lock, renewal, budget); a slower Redis counts as unreachable. */
  redisCommandTimeoutMs: number;
  /** How long start-up waits for Redis before carrying on without it (runs are then deferred until it answers). */
  redisStartupWaitMs: number;
  /** Prefix of every Redis key giftbot writes, so several bots can share one Redis. */
  redisKeyPrefix: string;
  /**
   * How many giftbot processes share this host's egress IP. While Redis is unreachable each process falls back to
   * its share of the budget: RATE_LIMIT_PER_MINUTE / EXPECTED_PROCESSES.
   */
  expectedProcesses: number;
  /** First delay before a deferred run is retried; it doubles (with jitter) per failed attempt up to the maximum. */
  deferredRetryMs: number;
  deferredRetryMaxMs: number;
  /** The Discord shards this process serves (SHARDS / SHARD_COUNT, set by discord.js ShardingManager); null: all. */
  shards: ShardScope | null;
  /** How often a shard looks for codes other shards found (SHARD_FOLLOW_MS). */
  shardFollowMs: number;
}

type ReadValue = (key: string) => string | undefined;
type ReadInteger = (key: string, fallback: number, min: number, max: number) => number;

export function readCoordinationConfig(value: ReadValue, integer: ReadInteger, problems: string[]): CoordinationConfig {
  const lockTtlMs = integer('LOCK_TTL_MS', 30_000, 300, 600_000);
  const lockMaxHoldMs = integer('LOCK_MAX_HOLD_MS', 30 * 60_000, 1_000, 24 * 3_600_000);
  if (lockMaxHoldMs < lockTtlMs)
    problems.push(`LOCK_MAX_HOLD_MS (${lockMaxHoldMs}) must not be shorter than LOCK_TTL_MS (${lockTtlMs})`);
  const redisCommandTimeoutMs = integer('REDIS_COMMAND_TIMEOUT_MS', 1_000, 50, 30_000);
  // A renewal must be able to fail and be retried well before the lock expires.
  if (redisCommandTimeoutMs * 3 > lockTtlMs) {
    problems.push(
      `REDIS_COMMAND_TIMEOUT_MS (${redisCommandTimeoutMs}) must be at most a third of LOCK_TTL_MS (${lockTtlMs})`,
    );
  }
  const redisKeyPrefix = value('REDIS_KEY_PREFIX') ?? 'giftbot';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisKeyPrefix)) {
    problems.push(`REDIS_KEY_PREFIX may use letters, digits and _ . : - (at most 64), got "${redisKeyPrefix}"`);
  }
  const deferredRetryMs = integer('DEFERRED_RETRY_MS', 5_000, 50, 3_600_000);
  const deferredRetryMaxMs = integer('DEFERRED_RETRY_MAX_MS', 5 * 60_000, 50, 24 * 3_600_000);
  if (deferredRetryMaxMs < deferredRetryMs) {
    problems.push(
      `DEFERRED_RETRY_MAX_MS (${deferredRetryMaxMs}) must not be shorter than DEFERRED_RETRY_MS (${deferredRetryMs})`,
    );
  }
  const shards = readShardScope(value, problems);
  // Shards on one IP must share one rate budget (and a CLI or deferred run may touch any guild): Redis is required.
  if (shards && shards.count > 1 && value('REDIS_URL') === undefined) {
    problems.push(`SHARD_COUNT ${shards.count} needs REDIS_URL: the shards must share one rate budget and one lock`);
  }
  return {
    lockTtlMs,
    lockMaxHoldMs,
    redisCommandTimeoutMs,
    redisStartupWaitMs: integer('REDIS_STARTUP_WAIT_MS', 3_000, 0, 120_000),
    redisKeyPrefix,
    expectedProcesses: integer('EXPECTED_PROCESSES', 1, 1, 1_000),
    deferredRetryMs,
    deferredRetryMaxMs,
    shards,
    shardFollowMs: integer('SHARD_FOLLOW_MS', 15_000, 100, 3_600_000),
  };
}
