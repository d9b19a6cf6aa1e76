import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { defineScript, errorMessage, runScript } from '../redis/scripts.ts';
import type { LockAttempt, LockHandle, RunLock, RunLockKey } from './runLock.ts';

/**
 * The Redis layer of the run lock (design: docs/locking.md): one key per (guild, game, code), a unique token per
 * acquisition, Lua for every compare-and-act step, renewal every TTL/3 and a local deadline on the monotonic clock.
 *
 * The lock only saves work; the ledger's fence makes a duplicate harmless. So this module always errs on the side of
 * "not held": an unanswered renewal, a paused process or a blocked event loop all end the hold at the local deadline.
 */

// KEYS[1] = lock key; ARGV[1] = token; ARGV[2] = ttl ms.
// Re-sending an acquire whose reply was lost must still count as ours, so "already my token" refreshes and succeeds.
export const ACQUIRE_SCRIPT = defineScript(
  'giftbot_lock_acquire',
  `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if v then
  return 0
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0`,
);

// KEYS[1] = lock key; ARGV[1] = token; ARGV[2] = ttl ms. 1 = renewed, 0 = gone or someone else's.
export const RENEW_SCRIPT = defineScript(
  'giftbot_lock_renew',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`,
);

// KEYS[1] = lock key; ARGV[1] = token. 1 = deleted, 0 = not ours (expired, taken over): left alone.
export const RELEASE_SCRIPT = defineScript(
  'giftbot_lock_release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

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

export type LockAbortReason = 'lost' | 'deadline' | 'max_hold' | 'released' | 'closed';

/** The `reason` of an aborted `LockHandle.signal`. */
export class LockAbortError extends Error {
  readonly reason: LockAbortReason;
  constructor(reason: LockAbortReason, message: string) {
    super(message);
    this.name = 'LockAbortError';
    this.reason = reason;
  }
}

export function runLockKey(keyPrefix: string, key: RunLockKey): string {
  // The braces make a guild's keys share one Redis Cluster slot.
  return `${keyPrefix}:lock:{g:${key.guildId}}:${key.game}:${key.code}`;
}

export function newLockToken(instanceId: string): string {
  return `${instanceId}:${process.pid}:${randomBytes(12).toString('base64url')}`;
}

/** Node clamps longer timeouts to 1 ms; anything this long is "never" for our purposes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createRedisRunLock(options: RedisRunLockOptions): RunLock {
  const { redis, log, instanceId } = options;
  const keyPrefix = options.keyPrefix ?? 'giftbot';
  const ttlMs = options.ttlMs ?? 30_000;
  const maxHoldMs = options.maxHoldMs ?? 30 * 60_000;
  const marginMs = options.marginMs ?? Math.max(5, Math.round(ttlMs / 10));
  if (!(ttlMs > 0) || !(maxHoldMs > 0)) throw new Error('ttlMs and maxHoldMs must be positive');
  if (marginMs >= ttlMs) throw new Error('marginMs must be smaller than ttlMs');
  const renewEveryMs = Math.max(1, Math.floor(ttlMs / 3));
  /** After a failed renewal, try again sooner than the regular interval (still bounded by the local deadline). */
  const retryRenewMs = Math.min(renewEveryMs, Math.max(50, Math.round(ttlMs / 10)));

  const active = new Set<{ release(why?: 'released' | 'closed'): Promise<void> }>();
  let closed = false;
  /**
   * Acquires whose outcome is unknown (the reply was lost): the token may be in Redis. Its clean-up is retried until it
   * lands or the TTL has passed, and the next acquire of the same key takes the token over (stopping the clean-up),
   * so the acquire script's "already mine" branch recovers the key instead of answering "busy" for a whole TTL.
   */
  const uncertain = new Map<string, { token: string; until: number; stop(): Promise<void> }>();

  function createHandle(lockKey: RunLockKey, key: string, token: string, sentAt: number): LockHandle {
    const fields = { guildId: lockKey.guildId, game: lockKey.game, code: lockKey.code };
    const controller = new AbortController();
    const acquiredAt = sentAt;
    const maxHoldAt = sentAt + maxHoldMs;
    // Measured from when the acquire was *sent*: the server set the expiry at some point after that.
    let deadline = sentAt + ttlMs - marginMs;
    let renewTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let maxHoldTimer: NodeJS.Timeout | undefined;
    let renewFailures = 0;
    let lostReason: LockAbortReason | undefined;
    let releasing: Promise<void> | undefined;

    function clearTimers(): void {
      if (renewTimer) clearTimeout(renewTimer);
      if (deadlineTimer) clearTimeout(deadlineTimer);
      if (maxHoldTimer) clearTimeout(maxHoldTimer);
      renewTimer = deadlineTimer = maxHoldTimer = undefined;
    }

    function abort(reason: LockAbortReason, message: string, extra?: Record<string, unknown>): void {
      if (controller.signal.aborted) return;
      clearTimers();
      if (reason !== 'released' && reason !== 'closed') {
        lostReason = reason;
        log.warn(
          { event: EVENTS.lockLost, ...fields, reason, heldMs: Math.round(performance.now() - acquiredAt), ...extra },
          'lock lost',
        );
      }
      controller.abort(new LockAbortError(reason, message));
    }

    /** The single place that decides "still held": not aborted, before the deadline and the maximum hold time. */
    function check(): boolean {
      if (controller.signal.aborted) return false;
      const now = performance.now();
      if (now >= maxHoldAt) {
        abort('max_hold', `lock held for the maximum of ${maxHoldMs} ms`);
        return false;
      }
      if (now >= deadline) {
        abort('deadline', 'lock renewal not confirmed before the local deadline', {
          overdueMs: Math.round(now - deadline),
          renewFailures,
        });
        return false;
      }
      return true;
    }

    function armDeadlineTimer(): void {
      if (deadlineTimer) clearTimeout(deadlineTimer);
      const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadline - performance.now())) + 1);
      deadlineTimer = setTimeout(() => {
        deadlineTimer = undefined;
        if (check()) armDeadlineTimer();
      }, delay);
    }

    function scheduleRenewal(delayMs: number): void {
      if (controller.signal.aborted) return;
      renewTimer = setTimeout(() => {
        renewTimer = undefined;
        void renew();
      }, Math.max(0, delayMs));
    }

    async function renew(): Promise<void> {
      // A process resumed after SIGSTOP (or an event loop unblocked) gets here late: the deadline check comes first.
      if (!check()) return;
      const sentAtRenew = performance.now();
      let reply: unknown;
      try {
        reply = await runScript(redis, RENEW_SCRIPT, [key], [token, ttlMs]);
      } catch (err) {
        if (controller.signal.aborted) return;
        renewFailures += 1;
        if (renewFailures === 1) {
          log.warn(
            { event: EVENTS.lockUnavailable, ...fields, err: errorMessage(err) },
            'lock renewal failed; retrying until the local deadline',
          );
        }
        if (check()) scheduleRenewal(retryRenewMs);
        return;
      }
      // A confirmation that arrives after the deadline is too late: the hold already ended.
      if (!check()) return;
      if (reply !== 1) {
        abort('lost', 'lock key expired or taken over by another holder', { renewFailures });
        return;
      }
      renewFailures = 0;
      deadline = Math.max(deadline, sentAtRenew + ttlMs - marginMs);
      armDeadlineTimer();
      scheduleRenewal(sentAtRenew + renewEveryMs - performance.now());
    }

    async function doRelease(why: 'released' | 'closed'): Promise<void> {
      const heldMs = Math.round(performance.now() - acquiredAt);
      clearTimers();
      abort(why, why === 'closed' ? 'lock service closed' : 'lock released');
      try {
        const reply = await runScript(redis, RELEASE_SCRIPT, [key], [token]);
        if (reply === 1) {
          log.info({ event: EVENTS.lockReleased, ...fields, heldMs }, 'lock released');
        } else {
          log.warn(
            { event: EVENTS.lockReleaseNotOwner, ...fields, heldMs, lostReason: lostReason ?? null },
            'lock release: no longer the owner (expired or taken over); left the key alone',
          );
        }
      } catch (err) {
        log.warn(
          { event: EVENTS.lockUnavailable, ...fields, heldMs, err: errorMessage(err) },
          'lock release failed; the key expires with its TTL',
        );
      } finally {
        active.delete(entry);
      }
    }

    const entry = {
      release(why: 'released' | 'closed' = 'released'): Promise<void> {
        releasing ??= doRelease(why).catch(() => {});
        return releasing;
      },
    };
    active.add(entry);

    armDeadlineTimer();
    maxHoldTimer = setTimeout(() => {
      maxHoldTimer = undefined;
      check();
    }, Math.min(MAX_TIMER_MS, maxHoldMs));
    scheduleRenewal(sentAt + renewEveryMs - performance.now());

    return {
      signal: controller.signal,
      isHeld: check,
      release: () => entry.release('released'),
    };
  }

  return {
    async acquire(lockKey: RunLockKey): Promise<LockAttempt> {
      const fields = { guildId: lockKey.guildId, game: lockKey.game, code: lockKey.code };
      if (closed) return { status: 'unavailable', reason: 'lock service closed' };
      const key = runLockKey(keyPrefix, lockKey);
      const earlier = uncertain.get(key);
      uncertain.delete(key);
      // Stopped (and its command settled) before the acquire is sent, so it cannot delete what this acquire sets.
      if (earlier) await earlier.stop();
      const token = earlier && performance.now() < earlier.until ? earlier.token : newLockToken(instanceId);
      const sentAt = performance.now();
      let reply: unknown;
      try {
        reply = await runScript(redis, ACQUIRE_SCRIPT, [key], [token, ttlMs]);
      } catch (err) {
        const reason = errorMessage(err);
        log.warn({ event: EVENTS.lockUnavailable, ...fields, err: reason }, 'lock service unavailable');
        // The server may have applied the acquire and only the reply was lost: remove our own token (if it is there)
        // so the key does not block everyone for a TTL; a no-op for any other holder.
        cleanup(key, token, sentAt + ttlMs);
        return { status: 'unavailable', reason };
      }
      if (reply !== 1) {
        log.info({ event: EVENTS.lockBusy, ...fields }, 'lock busy: another process is running this code');
        return { status: 'busy' };
      }
      const elapsed = performance.now() - sentAt;
      if (closed || elapsed >= ttlMs - marginMs) {
        const reason = closed ? 'lock service closed' : `acquire answered after ${Math.round(elapsed)} ms`;
        log.warn({ event: EVENTS.lockUnavailable, ...fields, err: reason }, 'lock acquired too late to use; released');
        cleanup(key, token, sentAt + ttlMs);
        return { status: 'unavailable', reason };
      }
      const handle = createHandle(lockKey, key, token, sentAt);
      log.info({ event: EVENTS.lockAcquired, ...fields, ttlMs, acquireMs: Math.round(elapsed) }, 'lock acquired');
      return { status: 'acquired', handle };
    },

    async ping(): Promise<boolean> {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    /** Releases every lock still held through this instance. The Redis client is the caller's to close. */
    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([...active].map((entry) => entry.release('closed')));
      // Pending clean-ups get their last try now; the keys they could not reach expire with their TTL.
      await Promise.allSettled([...uncertain.values()].map((pending) => pending.stop()));
      uncertain.clear();
    },
  };

  /** Compare-and-delete of our own token, retried (the client may be reconnecting) until it lands or `until` passes. */
  function cleanup(key: string, token: string, until: number): void {
    let stopped = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const loop = (async () => {
      while (!stopped && performance.now() < until) {
        try {
          await runScript(redis, RELEASE_SCRIPT, [key], [token]);
          return; // landed: deleted, or not ours any more
        } catch {
          if (stopped) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
            // Short: while the client reconnects a command fails at once (no offline queue), so a try is cheap.
            timer = setTimeout(resolve, Math.min(retryRenewMs, 200));
            timer.unref();
          });
        }
      }
    })().finally(() => {
      if (uncertain.get(key)?.token === token) uncertain.delete(key);
    });
    uncertain.set(key, {
      token,
      until,
      async stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        wake?.();
        await loop;
      },
    });
  }
}
