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
