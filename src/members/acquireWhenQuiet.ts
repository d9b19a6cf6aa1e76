import { setTimeout as sleep } from 'node:timers/promises';
import type { RateBudget } from '../pacing/rateBudget.ts';

export interface QuietAcquireOptions {
  priority: number;
  /** Stops waiting (rejects with its reason). */
  signal: AbortSignal;
  /** True while work that must go first is under way (a redemption run on the same API host). */
  busy: () => boolean;
  /** How often `busy` is checked while waiting. */
  pollMs?: number;
}

/**
 * A budget slot for background work that must not slow a redemption run down. The budget's priority queue alone
 * is not enough: when several slots free up at once, the run's workers are busy calling and our waiters would take
 * the rest. So: wait while a run is busy, and give up our place in the queue as soon as one starts.
 */
export async function acquireWhenQuiet(budget: RateBudget, options: QuietAcquireOptions): Promise<void> {
  const pollMs = options.pollMs ?? 50;
  for (;;) {
    while (options.busy()) await sleep(pollMs, undefined, { signal: options.signal });
    const yieldToRun = new AbortController();
    const watch = setInterval(() => {
      if (options.busy()) yieldToRun.abort(new Error('a redemption run started'));
    }, pollMs);
    try {
      await budget.acquire({
        priority: options.priority,
        signal: AbortSignal.any([options.signal, yieldToRun.signal]),
      });
      return;
    } catch (error) {
      if (options.signal.aborted) throw error;
      // We gave way to a run: wait for it to end, then queue again.
    } finally {
      clearInterval(watch);
    }
  }
}
