import { performance } from 'node:perf_hooks';
import { EVENTS } from '../log/events.ts';
import { errorMessage, runScript } from '../redis/scripts.ts';
import { LockAbortError, type LockAbortReason } from './lockAbort.ts';
import { RELEASE_SCRIPT, RENEW_SCRIPT } from './lockScripts.ts';
import type { ActiveLock, RedisLockService } from './redisLockService.ts';
import type { LockHandle, RunLockKey } from './runLock.ts';

/** Node clamps longer timeouts to 1 ms; anything this long is "never" for our purposes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One acquired lock: its token, its renewal and the local deadline that ends the hold when renewals stop landing. */
interface HeldLock {
  readonly service: RedisLockService;
  /** Fields every log line of this lock carries. */
  readonly fields: { guildId: string; game: string; code: string };
  readonly key: string;
  readonly token: string;
  /** Its signal is the handle's: aborted when the hold ends, for whatever reason. */
  readonly controller: AbortController;
  /** performance.now() when the acquire was sent. */
  readonly acquiredAt: number;
  readonly maxHoldAt: number;
  /** performance.now() after which the lock no longer counts as ours; moved on by each confirmed renewal. */
  deadline: number;
  renewTimer: NodeJS.Timeout | undefined;
  deadlineTimer: NodeJS.Timeout | undefined;
  maxHoldTimer: NodeJS.Timeout | undefined;
  /** Renewals failed in a row (logged once, reported when the deadline passes). */
  renewFailures: number;
  /** Why the hold ended before the release, for the release's log line. */
  lostReason: LockAbortReason | undefined;
  /** The one release in flight: a second call waits for it. */
  releasing: Promise<void> | undefined;
  /** This lock's entry in `service.active`. */
  readonly entry: ActiveLock;
}

export function createLockHandle(
  service: RedisLockService,
  lockKey: RunLockKey,
  key: string,
  token: string,
  sentAt: number,
): LockHandle {
  const lock: HeldLock = {
    service,
    fields: { guildId: lockKey.guildId, game: lockKey.game, code: lockKey.code },
    key,
    token,
    controller: new AbortController(),
    acquiredAt: sentAt,
    maxHoldAt: sentAt + service.maxHoldMs,
    // Measured from when the acquire was *sent*: the server set the expiry at some point after that.
    deadline: sentAt + service.ttlMs - service.marginMs,
    renewTimer: undefined,
    deadlineTimer: undefined,
    maxHoldTimer: undefined,
    renewFailures: 0,
    lostReason: undefined,
    releasing: undefined,
    entry: {
      release(why: 'released' | 'closed' = 'released'): Promise<void> {
        lock.releasing ??= release(lock, why).catch(() => {});
        return lock.releasing;
      },
    },
  };
  service.active.add(lock.entry);

  armDeadlineTimer(lock);
  lock.maxHoldTimer = setTimeout(
    () => {
      lock.maxHoldTimer = undefined;
      check(lock);
    },
    Math.min(MAX_TIMER_MS, service.maxHoldMs),
  );
  scheduleRenewal(lock, sentAt + service.renewEveryMs - performance.now());

  return {
    signal: lock.controller.signal,
    isHeld: () => check(lock),
    confirm: () => confirm(lock),
    release: () => lock.entry.release('released'),
  };
}

function clearTimers(lock: HeldLock): void {
  if (lock.renewTimer) clearTimeout(lock.renewTimer);
  if (lock.deadlineTimer) clearTimeout(lock.deadlineTimer);
  if (lock.maxHoldTimer) clearTimeout(lock.maxHoldTimer);
  lock.renewTimer = lock.deadlineTimer = lock.maxHoldTimer = undefined;
}

function abort(lock: HeldLock, reason: LockAbortReason, message: string, extra?: Record<string, unknown>): void {
  if (lock.controller.signal.aborted) return;
  clearTimers(lock);
  if (reason !== 'released' && reason !== 'closed') {
    lock.lostReason = reason;
    lock.service.log.warn(
      {
        event: EVENTS.lockLost,
        ...lock.fields,
        reason,
        heldMs: Math.round(performance.now() - lock.acquiredAt),
        ...extra,
      },
      'lock lost',
    );
  }
  lock.controller.abort(new LockAbortError(reason, message));
}

/** The single place that decides "still held": not aborted, before the deadline and the maximum hold time. */
function check(lock: HeldLock): boolean {
  if (lock.controller.signal.aborted) return false;
  const now = performance.now();
  if (now >= lock.maxHoldAt) {
    abort(lock, 'max_hold', `lock held for the maximum of ${lock.service.maxHoldMs} ms`);
    return false;
  }
  if (now >= lock.deadline) {
    abort(lock, 'deadline', 'lock renewal not confirmed before the local deadline', {
      overdueMs: Math.round(now - lock.deadline),
      renewFailures: lock.renewFailures,
    });
    return false;
  }
  return true;
}

/** The key still holds our token, asked right before a call: an operator's DEL or SET ends the hold at once. */
async function confirm(lock: HeldLock): Promise<boolean> {
  if (!check(lock)) return false;
  let current: string | null;
  try {
    current = await lock.service.redis.get(lock.key);
  } catch {
    // Unanswered is not "taken": the renewals and the local deadline decide, as for every other Redis hiccup.
    return check(lock);
  }
  if (current !== lock.token) {
    abort(lock, 'lost', 'lock key deleted or taken over (seen before a call)', {
      holder: current === null ? 'none' : 'other',
    });
    return false;
  }
  return check(lock);
}

function armDeadlineTimer(lock: HeldLock): void {
  if (lock.deadlineTimer) clearTimeout(lock.deadlineTimer);
  const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(lock.deadline - performance.now())) + 1);
  lock.deadlineTimer = setTimeout(() => {
    lock.deadlineTimer = undefined;
    if (check(lock)) armDeadlineTimer(lock);
  }, delay);
}

function scheduleRenewal(lock: HeldLock, delayMs: number): void {
  if (lock.controller.signal.aborted) return;
  lock.renewTimer = setTimeout(
    () => {
      lock.renewTimer = undefined;
      void renew(lock);
    },
    Math.max(0, delayMs),
  );
}

async function renew(lock: HeldLock): Promise<void> {
  const { service } = lock;
  // A process resumed after SIGSTOP (or an event loop unblocked) gets here late: the deadline check comes first.
  if (!check(lock)) return;
  const sentAtRenew = performance.now();
  let reply: unknown;
  try {
    reply = await runScript(service.redis, RENEW_SCRIPT, [lock.key], [lock.token, service.ttlMs]);
  } catch (err) {
    if (lock.controller.signal.aborted) return;
    lock.renewFailures += 1;
    if (lock.renewFailures === 1) {
      service.log.warn(
        { event: EVENTS.lockUnavailable, ...lock.fields, err: errorMessage(err) },
        'lock renewal failed; retrying until the local deadline',
      );
    }
    if (check(lock)) scheduleRenewal(lock, service.retryRenewMs);
    return;
  }
  // A confirmation that arrives after the deadline is too late: the hold already ended.
  if (!check(lock)) return;
  if (reply !== 1) {
    abort(lock, 'lost', 'lock key expired or taken over by another holder', { renewFailures: lock.renewFailures });
    return;
  }
  lock.renewFailures = 0;
  lock.deadline = Math.max(lock.deadline, sentAtRenew + service.ttlMs - service.marginMs);
  armDeadlineTimer(lock);
  scheduleRenewal(lock, sentAtRenew + service.renewEveryMs - performance.now());
}

async function release(lock: HeldLock, why: 'released' | 'closed'): Promise<void> {
  const { service } = lock;
  const heldMs = Math.round(performance.now() - lock.acquiredAt);
  clearTimers(lock);
  abort(lock, why, why === 'closed' ? 'lock service closed' : 'lock released');
  try {
    const reply = await runScript(service.redis, RELEASE_SCRIPT, [lock.key], [lock.token]);
    if (reply === 1) {
      service.log.info({ event: EVENTS.lockReleased, ...lock.fields, heldMs }, 'lock released');
    } else {
      service.log.warn(
        { event: EVENTS.lockReleaseNotOwner, ...lock.fields, heldMs, lostReason: lock.lostReason ?? null },
        'lock release: no longer the owner (expired or taken over); left the key alone',
      );
    }
  } catch (err) {
    service.log.warn(
      { event: EVENTS.lockUnavailable, ...lock.fields, heldMs, err: errorMessage(err) },
      'lock release failed; the key expires with its TTL',
    );
  } finally {
    service.active.delete(lock.entry);
  }
}
