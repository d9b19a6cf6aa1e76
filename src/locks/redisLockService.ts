import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

export interface RedisRunLockOptions {
  /** A client from `createRedisClient` (bounded command time, no offline queue). Not closed by `close()`. */
  redis: Redis;
  log: Logger;
  keyPrefix?: string;
  /** Key expiry; renewed every ttlMs/3. Default 30 s. */
  ttlMs?: number;
  /** The longest a run may hold the lock; its signal aborts after this. Default 30 min. */
  maxHoldMs?: number;
  /** Identifies this process in the token (with the pid and a random part). */
  instanceId: string;
  /**
   * Safety margin subtracted from the TTL for the local deadline (covers clock-rate differences and the time between
   * the server applying the expiry and us measuring). Default max(5, ttlMs / 10).
   */
  marginMs?: number;
}

/** One held lock as the service tracks it: `close()` releases every one still there. */
export interface ActiveLock {
  release(why?: 'released' | 'closed'): Promise<void>;
}

/** An acquire whose outcome is unknown (the reply was lost): its token may be in Redis. */
export interface UncertainAcquire {
  token: string;
  /** performance.now() after which the token has expired anyway. */
  until: number;
  /** Ends the clean-up loop and waits for its command to settle. */
  stop(): Promise<void>;
}

/**
 * What every handle and clean-up of one Redis run lock shares: its settings and the locks it still answers for.
 * acquire (redisRunLock.ts), the handles (redisLockHandle.ts) and the clean-ups (uncertainAcquire.ts) take it.
 */
export interface RedisLockService {
  readonly redis: Redis;
  readonly log: Logger;
  /** Identifies this process in the token. */
  readonly instanceId: string;
  readonly keyPrefix: string;
  /** Key expiry, renewed every `renewEveryMs`. */
  readonly ttlMs: number;
  /** The longest a run may hold the lock. */
  readonly maxHoldMs: number;
  /** Subtracted from the TTL for the local deadline. */
  readonly marginMs: number;
  readonly renewEveryMs: number;
  /** After a failed renewal, try again sooner than the regular interval (still bounded by the local deadline). */
  readonly retryRenewMs: number;
  /** Locks held through this service, released by `close()`. */
  readonly active: Set<ActiveLock>;
  /** No new acquires after `close()`. */
  closed: boolean;
  /**
   * Acquires whose outcome is unknown, by key. Their clean-up is retried until it lands or the TTL has passed, and the
   * next acquire of the same key takes the token over (stopping the clean-up), so the acquire script's "already mine"
   * branch recovers the key instead of answering "busy" for a whole TTL.
   */
  readonly uncertain: Map<string, UncertainAcquire>;
}

export function createRedisLockService(options: RedisRunLockOptions): RedisLockService {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxHoldMs = options.maxHoldMs ?? 30 * 60_000;
  const marginMs = options.marginMs ?? Math.max(5, Math.round(ttlMs / 10));
  if (!(ttlMs > 0) || !(maxHoldMs > 0)) throw new Error('ttlMs and maxHoldMs must be positive');
  if (marginMs >= ttlMs) throw new Error('marginMs must be smaller than ttlMs');
  const renewEveryMs = Math.max(1, Math.floor(ttlMs / 3));
  return {
    redis: options.redis,
    log: options.log,
    instanceId: options.instanceId,
    keyPrefix: options.keyPrefix ?? 'giftbot',
    ttlMs,
    maxHoldMs,
    marginMs,
    renewEveryMs,
    retryRenewMs: Math.min(renewEveryMs, Math.max(50, Math.round(ttlMs / 10))),
    active: new Set(),
    closed: false,
    uncertain: new Map(),
  };
}
