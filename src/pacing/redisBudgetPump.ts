import { performance } from 'node:perf_hooks';
import { EVENTS } from '../log/events.ts';
import { errorMessage, runScript } from '../redis/scripts.ts';
import { BUDGET_ACQUIRE_SCRIPT, BUDGET_SETTLE_SCRIPT, parseAcquireReply } from './budgetScripts.ts';
import { grantNext, pumpSleep } from './redisBudgetQueue.ts';
import { nextMember, type RedisBudgetState } from './redisBudgetState.ts';

/**
 * The loop that serves the local queue: one acquire script call at a time while Redis answers, the fallback's slots
 * while it does not, and the switch between the two (an outage begins at the first failed call, ends at a ping).
 */
export async function pump(state: RedisBudgetState): Promise<void> {
  if (state.pumping) return;
  state.pumping = true;
  try {
    while (state.queue.length > 0 && !state.closed) {
      if (state.degraded) {
        await serveFromFallback(state);
        continue;
      }
      // A pause we know of locally (our own 429) saves a round trip, and holds even if writing it to Redis failed.
      const pausedFor = state.pausedUntil - performance.now();
      if (pausedFor > 0) {
        await pumpSleep(state, pausedFor);
        continue;
      }
      let wait: number, count: number, limit: number, paused: number;
      try {
        if (state.fallbackGrants.length > 0) await settleFallbackGrants(state);
        const reply = await runScript(state.redis, BUDGET_ACQUIRE_SCRIPT, state.scriptKeys, [
          state.windowMs + state.marginMs,
          state.configuredLimit,
          nextMember(state),
          state.windowMs,
        ]);
        [wait, count, limit, paused] = parseAcquireReply(reply);
      } catch (err) {
        enterDegraded(state, err);
        continue;
      }
      if (limit > 0) state.knownLimit = limit;
      if (count >= 0) state.lastCount = count;
      if (paused > 0 && performance.now() + paused > state.pausedUntil) {
        state.pausedUntil = performance.now() + paused;
        state.pauseReason ??= 'window-refill';
      }
      if (wait === 0) {
        grantNext(state);
        continue;
      }
      // Several processes wake for the same freed slot; a little jitter keeps them from asking in lockstep.
      await pumpSleep(state, wait + Math.floor(Math.random() * Math.min(25, 1 + wait / 10)));
    }
  } finally {
    state.pumping = false;
  }
  // A waiter may have arrived after the loop's last check.
  if (state.queue.length > 0 && !state.closed) void pump(state);
}

export function enterDegraded(state: RedisBudgetState, err: unknown): void {
  if (state.degraded || state.closed) return;
  state.degraded = true;
  state.degradedSince = Date.now();
  state.fallbackFrom = performance.now() + state.windowMs + state.marginMs;
  state.log.warn(
    {
      event: EVENTS.budgetFallback,
      budget: state.key,
      shared: false,
      err: errorMessage(err),
      fallbackInMs: state.windowMs + state.marginMs,
    },
    'shared rate budget unavailable (Redis); using this process’s local share once the shared window has passed',
  );
  state.probeTimer = setInterval(() => void probe(state), state.probeIntervalMs);
  state.probeTimer.unref();
}

async function probe(state: RedisBudgetState): Promise<void> {
  if (state.probing || !state.degraded || state.closed) return;
  state.probing = true;
  try {
    await state.redis.ping();
    if (!state.degraded || state.closed) return;
    state.degraded = false;
    if (state.probeTimer) clearInterval(state.probeTimer);
    state.probeTimer = undefined;
    state.log.info(
      {
        event: EVENTS.budgetShared,
        budget: state.key,
        shared: true,
        downMs: Date.now() - state.degradedSince,
        fallbackGrants: state.fallbackGrants.length,
      },
      'shared rate budget available again (Redis)',
    );
    state.fallbackAbort?.abort();
    state.wakeSleeper?.();
    void pump(state);
  } catch {
    // still down; the next probe tries again
  } finally {
    state.probing = false;
  }
}

/** One step on the fallback: wait out the shared window, or take one local slot for the best waiter. */
async function serveFromFallback(state: RedisBudgetState): Promise<void> {
  const waitOut = state.fallbackFrom - performance.now();
  if (waitOut > 0) {
    await pumpSleep(state, waitOut);
    return;
  }
  const head = state.queue[state.turns.nextIndex(state.queue)]!;
  const controller = new AbortController();
  state.fallbackAbort = controller;
  try {
    await state.fallback.acquire({ priority: head.priority, share: head.share, signal: controller.signal });
  } catch {
    return; // Redis answered again, the queue emptied, or closed: the loop decides what next
  } finally {
    state.fallbackAbort = undefined;
  }
  // Counted whether or not a waiter is still there: the slot is spent in the fallback's window either way.
  state.fallbackGrants.push(performance.now());
  grantNext(state);
}

/** Writes the fallback's grants into the shared window before the first shared grant after an outage. */
async function settleFallbackGrants(state: RedisBudgetState): Promise<void> {
  const { windowMs, marginMs } = state;
  const now = performance.now();
  const recent = state.fallbackGrants.filter((at) => now - at < windowMs + marginMs);
  const args: (string | number)[] = [
    windowMs + marginMs,
    Math.min(1000, state.probeIntervalMs),
    recent.length > 0 ? state.peerFallbackSlots : 0,
  ];
  for (const at of recent) args.push(Math.max(0, Math.round(now - at)), nextMember(state));
  await runScript(state.redis, BUDGET_SETTLE_SCRIPT, [state.keys.window], args);
  state.fallbackGrants = [];
}
