import type { RedisBudgetState, Waiter } from './redisBudgetState.ts';

/** Sorted by (priority, seq); new waiters go after every waiter of the same or a lower priority number. */
export function insertWaiter(state: RedisBudgetState, waiter: Waiter): void {
  const { queue } = state;
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queue[mid]!.priority <= waiter.priority) lo = mid + 1;
    else hi = mid;
  }
  queue.splice(lo, 0, waiter);
}

export function detachWaiter(waiter: Waiter): void {
  if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  waiter.onAbort = undefined;
}

/** Grants the next waiter by priority and turns; false when nobody is waiting any more. */
export function grantNext(state: RedisBudgetState): boolean {
  const { queue } = state;
  const waiter = queue.length > 0 ? queue.splice(state.turns.nextIndex(queue), 1)[0] : undefined;
  if (!waiter) return false;
  state.turns.served(waiter.share, () => queue);
  detachWaiter(waiter);
  waiter.resolve();
  return true;
}

/** The pump's only sleep; `wakeSleeper` ends it early (Redis back, queue emptied, closed). */
export function pumpSleep(state: RedisBudgetState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    state.wakeSleeper = () => {
      clearTimeout(state.sleepTimer);
      state.sleepTimer = state.wakeSleeper = undefined;
      resolve();
    };
    state.sleepTimer = setTimeout(() => state.wakeSleeper?.(), Math.max(1, ms));
  });
}
