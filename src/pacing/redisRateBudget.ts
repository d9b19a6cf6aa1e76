import { performance } from 'node:perf_hooks';
import type { BudgetSnapshot, RateBudget } from './rateBudget.ts';
import { observeFeedback } from './redisBudgetFeedback.ts';
import { pump } from './redisBudgetPump.ts';
import { detachWaiter, insertWaiter } from './redisBudgetQueue.ts';
import { createRedisBudgetState, type RedisBudgetState, type Waiter } from './redisBudgetState.ts';
import type { RedisRateBudgetOptions } from './redisBudgetState.ts';

export type { RedisRateBudgetOptions };

export { BUDGET_ACQUIRE_SCRIPT, BUDGET_PAUSE_SCRIPT, budgetKeys } from './budgetScripts.ts';

/**
 * A sliding-window rate budget shared through Redis by every process that calls one API host (they share one egress
 * IP, so the game counts them together). One Lua script decides atomically (budgetScripts.ts) on the server's clock;
 * the window there is `windowMs + safetyMarginMs`, the margin absorbing the varying time from grant to arrival. A 429,
 * a Retry-After or X-RateLimit-Remaining: 0 sets a shared pause (for the Retry-After, else until the game's window
 * refills; never longer than `maxPauseMs`). A lower X-RateLimit-Limit is shared too. Waiters queue locally by
 * priority, then by turns among shares; one script call is in flight per process.
 *
 * When Redis fails, the calls of all processes together must still stay within the limit in every window:
 * - the fallback (this process's share) grants nothing until a whole window has passed since Redis stopped answering,
 *   so it never adds to a shared window that may be full: a short stall costs a short wait, not a 429;
 * - waiters stay in this queue and take fallback slots one at a time, so nothing keeps granting on the side once
 *   Redis answers again;
 * - before the first shared grant after an outage, the fallback's grants still in the window are written into the
 *   shared window with their real ages, plus a reservation for the other processes' not yet written back. Both only
 *   make the shared window fuller, for at most one window.
 */
export function createRedisRateBudget(options: RedisRateBudgetOptions): RateBudget {
  const state = createRedisBudgetState(options);
  return {
    acquire: (acquireOptions) => acquire(state, acquireOptions),
    observe: (feedback) => observeFeedback(state, feedback),
    snapshot: () => snapshot(state),
    close: () => close(state),
  };
}

function acquire(
  state: RedisBudgetState,
  acquireOptions?: { priority?: number; signal?: AbortSignal; share?: string },
): Promise<void> {
  const signal = acquireOptions?.signal;
  if (state.closed) return Promise.reject(new Error('rate budget closed'));
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = {
      priority: acquireOptions?.priority ?? 0,
      seq: ++state.arrivals,
      share: acquireOptions?.share ?? '',
      resolve,
      reject,
      signal,
      onAbort: undefined,
    };
    if (signal) {
      waiter.onAbort = () => {
        const index = state.queue.indexOf(waiter);
        if (index >= 0) state.queue.splice(index, 1);
        detachWaiter(waiter);
        reject(signal.reason);
        if (state.queue.length === 0) {
          state.fallbackAbort?.abort();
          state.wakeSleeper?.();
        }
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    insertWaiter(state, waiter);
    void pump(state);
  });
}

function snapshot(state: RedisBudgetState): BudgetSnapshot {
  const pausedFor = state.pausedUntil - performance.now();
  const paused = pausedFor > 0;
  if (state.degraded) {
    const local = state.fallback.snapshot();
    const waitingOut = state.fallbackFrom - performance.now();
    return {
      ...local,
      waiting: state.queue.length,
      // While the shared window is waited out, nobody is served: say so, and until when.
      available: waitingOut > 0 ? 0 : local.available,
      shared: false,
      rateLimitedCount: state.rateLimitedCount,
      maxPauseMs: state.maxPauseMs,
    };
  }
  return {
    limit: state.knownLimit,
    windowMs: state.windowMs,
    available: Math.max(0, state.knownLimit - state.lastCount),
    waiting: state.queue.length,
    pausedUntil: paused ? Date.now() + pausedFor : 0,
    pauseReason: paused ? state.pauseReason : null,
    maxPauseMs: state.maxPauseMs,
    rateLimitedCount: state.rateLimitedCount,
    shared: true,
  };
}

async function close(state: RedisBudgetState): Promise<void> {
  if (state.closed) return;
  state.closed = true;
  if (state.probeTimer) clearInterval(state.probeTimer);
  state.probeTimer = undefined;
  state.fallbackAbort?.abort();
  state.wakeSleeper?.();
  const waiters = state.queue.splice(0, state.queue.length);
  for (const waiter of waiters) {
    detachWaiter(waiter);
    waiter.reject(new Error('rate budget closed'));
  }
}
