import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Members waiting for their call in one run. Retried members come back after their delay without holding up the
 * others: a worker always takes a member that is ready now, and sleeps only when every remaining one is waiting.
 */
export interface QueuedMember<T> {
  item: T;
  /** performance.now() before which the member must not be called. */
  notBefore: number;
}

export interface MemberQueue<T> {
  push(item: T, notBefore?: number): void;
  /** A ready member, or the time to wait for the next one, or done when empty. */
  take(now: number): { item: T } | { waitMs: number } | { done: true };
  size(): number;
  drain(): T[];
}

export function createMemberQueue<T>(initial: readonly T[]): MemberQueue<T> {
  // Fresh members keep their order; retried ones are appended with a later notBefore.
  let entries: QueuedMember<T>[] = initial.map((item) => ({ item, notBefore: 0 }));
  return {
    push(item, notBefore = 0) {
      entries.push({ item, notBefore });
    },
    take(now) {
      if (entries.length === 0) return { done: true };
      let soonest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < entries.length; i += 1) {
        const entry = entries[i]!;
        if (entry.notBefore <= now) {
          entries.splice(i, 1);
          return { item: entry.item };
        }
        soonest = Math.min(soonest, entry.notBefore);
      }
      return { waitMs: Math.max(1, Math.ceil(soonest - now)) };
    },
    size: () => entries.length,
    drain() {
      const items = entries.map((entry) => entry.item);
      entries = [];
      return items;
    },
  };
}

/**
 * One worker over a queue: takes ready items until the queue is empty or `stopped()` says so, and sleeps (at most 1 s,
 * cut short by `signal`) only when every item left is waiting. Runs and state searches start several of these.
 */
export async function workQueue<T>(
  queue: MemberQueue<T>,
  options: { stopped: () => boolean; signal: AbortSignal; handle: (item: T) => Promise<void> },
): Promise<void> {
  for (;;) {
    if (options.stopped()) return;
    const next = queue.take(performance.now());
    if ('done' in next) return;
    if ('waitMs' in next) {
      try {
        await sleep(Math.min(next.waitMs, 1_000), undefined, { signal: options.signal });
      } catch {
        /* stopped: the loop head notices */
      }
      continue;
    }
    await options.handle(next.item);
  }
}
