import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EVENTS } from '../log/events.ts';
import { errorMessage, runScript } from '../redis/scripts.ts';
import { ACQUIRE_SCRIPT } from './lockScripts.ts';
import { createLockHandle } from './redisLockHandle.ts';
import { createRedisLockService, type RedisLockService } from './redisLockService.ts';
import type { LockAttempt, RunLock, RunLockKey } from './runLock.ts';
import { cleanUpUncertainAcquire } from './uncertainAcquire.ts';
import type { RedisRunLockOptions } from './redisLockService.ts';

export type { RedisRunLockOptions };

export { ACQUIRE_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT } from './lockScripts.ts';
export { LockAbortError, type LockAbortReason } from './lockAbort.ts';

export function runLockKey(keyPrefix: string, key: RunLockKey): string {
  // The braces make a guild's keys share one Redis Cluster slot.
  return `${keyPrefix}:lock:{g:${key.guildId}}:${key.game}:${key.code}`;
}

export function newLockToken(instanceId: string): string {
  return `${instanceId}:${process.pid}:${randomBytes(12).toString('base64url')}`;
}

/**
 * The Redis layer of the run lock (design: docs/locking.md): one key per (guild, game, code), a unique token per
 * acquisition, Lua for every compare-and-act step (lockScripts.ts), renewal every TTL/3 and a local deadline on the
 * monotonic clock (redisLockHandle.ts).
 *
 * The lock only saves work; the ledger's fence makes a duplicate harmless. So this module always errs on the side of
 * "not held": an unanswered renewal, a paused process or a blocked event loop all end the hold at the local deadline.
 */
export function createRedisRunLock(options: RedisRunLockOptions): RunLock {
  const service = createRedisLockService(options);
  return {
    acquire: (lockKey: RunLockKey) => acquire(service, lockKey),

    async ping(): Promise<boolean> {
      try {
        return (await service.redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    /** Releases every lock still held through this instance. The Redis client is the caller's to close. */
    async close(): Promise<void> {
      service.closed = true;
      await Promise.allSettled([...service.active].map((entry) => entry.release('closed')));
      // Pending clean-ups get their last try now; the keys they could not reach expire with their TTL.
      await Promise.allSettled([...service.uncertain.values()].map((pending) => pending.stop()));
      service.uncertain.clear();
    },
  };
}

async function acquire(service: RedisLockService, lockKey: RunLockKey): Promise<LockAttempt> {
  const { log, ttlMs, marginMs } = service;
  const fields = { guildId: lockKey.guildId, game: lockKey.game, code: lockKey.code };
  if (service.closed) return { status: 'unavailable', reason: 'lock service closed' };
  const key = runLockKey(service.keyPrefix, lockKey);
  const earlier = service.uncertain.get(key);
  service.uncertain.delete(key);
  // Stopped (and its command settled) before the acquire is sent, so it cannot delete what this acquire sets.
  if (earlier) await earlier.stop();
  const token = earlier && performance.now() < earlier.until ? earlier.token : newLockToken(service.instanceId);
  const sentAt = performance.now();
  let reply: unknown;
  try {
    reply = await runScript(service.redis, ACQUIRE_SCRIPT, [key], [token, ttlMs]);
  } catch (err) {
    const reason = errorMessage(err);
    log.warn({ event: EVENTS.lockUnavailable, ...fields, err: reason }, 'lock service unavailable');
    // The server may have applied the acquire and only the reply was lost: remove our own token (if it is there)
    // so the key does not block everyone for a TTL; a no-op for any other holder.
    cleanUpUncertainAcquire(service, key, token, sentAt + ttlMs);
    return { status: 'unavailable', reason };
  }
  if (reply !== 1) {
    log.info({ event: EVENTS.lockBusy, ...fields }, 'lock busy: another process is running this code');
    return { status: 'busy' };
  }
  const elapsed = performance.now() - sentAt;
  if (service.closed || elapsed >= ttlMs - marginMs) {
    const reason = service.closed ? 'lock service closed' : `acquire answered after ${Math.round(elapsed)} ms`;
    log.warn({ event: EVENTS.lockUnavailable, ...fields, err: reason }, 'lock acquired too late to use; released');
    cleanUpUncertainAcquire(service, key, token, sentAt + ttlMs);
    return { status: 'unavailable', reason };
  }
  const handle = createLockHandle(service, lockKey, key, token, sentAt);
  log.info({ event: EVENTS.lockAcquired, ...fields, ttlMs, acquireMs: Math.round(elapsed) }, 'lock acquired');
  return { status: 'acquired', handle };
}
