import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';

describe('settings for several processes', () => {
  it('defaults: 30 s lock, 1 s commands, one process, 5 s first retry', () => {
    const result = loadConfig({});
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.config.coordination).toEqual({
      lockTtlMs: 30_000,
      lockMaxHoldMs: 30 * 60_000,
      redisCommandTimeoutMs: 1_000,
      redisStartupWaitMs: 3_000,
      redisKeyPrefix: 'giftbot',
      expectedProcesses: 1,
      deferredRetryMs: 5_000,
      deferredRetryMaxMs: 5 * 60_000,
      shards: null,
      shardFollowMs: 15_000,
    });
    expect(result.config.rateMarginMs).toBeNull();
    // A Retry-After longer than this is cut to it: 5 minutes unless set.
    expect(result.config.rateMaxPauseMs).toBe(300_000);
  });

  it('lists every inconsistent setting at once', () => {
    const result = loadConfig({
      LOCK_TTL_MS: '900',
      REDIS_COMMAND_TIMEOUT_MS: '500',
      LOCK_MAX_HOLD_MS: '800',
      EXPECTED_PROCESSES: '0',
      REDIS_KEY_PREFIX: 'has space',
      DEFERRED_RETRY_MS: '1000',
      DEFERRED_RETRY_MAX_MS: '500',
      RATE_LIMIT_MARGIN_MS: 'soon',
      RATE_LIMIT_MAX_PAUSE_MS: '86400000000',
      SHARDS: '[0, 4]',
      SHARD_COUNT: '4',
      REDIS_URL: 'redis://127.0.0.1:6390',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toContain('LOCK_MAX_HOLD_MS (800) must not be shorter than LOCK_TTL_MS (900)');
    expect(text).toContain('REDIS_COMMAND_TIMEOUT_MS (500) must be at most a third of LOCK_TTL_MS (900)');
    expect(text).toContain('EXPECTED_PROCESSES must be between 1 and 1000');
    expect(text).toContain('REDIS_KEY_PREFIX');
    expect(text).toContain('DEFERRED_RETRY_MAX_MS (500)');
    expect(text).toContain('RATE_LIMIT_MARGIN_MS must be a whole number');
    expect(text).toContain('RATE_LIMIT_MAX_PAUSE_MS must be between 1000 and 86400000');
    expect(text).toContain('SHARDS must be a shard id or a JSON list of shard ids below SHARD_COUNT (4)');
  });

  it('reads the shard a ShardingManager child serves', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6390' };
    const one = loadConfig({ ...redis, SHARDS: '1', SHARD_COUNT: '2' });
    const two = loadConfig({ ...redis, SHARDS: '[2,0]', SHARD_COUNT: '3' });
    expect(one.ok && one.config.coordination.shards).toEqual({ ids: [1], count: 2 });
    expect(two.ok && two.config.coordination.shards).toEqual({ ids: [0, 2], count: 3 });
    const half = loadConfig({ SHARDS: '1' });
    expect(half.ok ? [] : half.problems).toEqual([
      'SHARDS and SHARD_COUNT go together (discord.js ShardingManager sets both); set both or neither',
    ]);
    const noRedis = loadConfig({ SHARDS: '0', SHARD_COUNT: '2' });
    expect(noRedis.ok ? [] : noRedis.problems).toEqual([
      'SHARD_COUNT 2 needs REDIS_URL: the shards must share one rate budget and one lock',
    ]);
  });
});
