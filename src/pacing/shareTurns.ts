/**
 * Turn-taking among waiters for a rate-budget slot: among the waiters of the best priority (the queue is kept sorted by
 * priority, then arrival), the share (one alliance's run) served least recently goes next. Used by the local and the
 * Redis-shared budgets alike, so alliances started together each get a call early instead of queueing behind the
 * first alliances' workers.
 */
export interface ShareTurns {
  /** Index of the waiter to serve next in a non-empty queue sorted by priority. */
  nextIndex(queue: readonly { priority: number; share: string }[]): number;
  /** Notes that `share` was just served. */
  served(share: string, stillWaiting: () => Iterable<{ share: string }>): void;
}

export function createShareTurns(): ShareTurns {
  let counter = 0;
  const lastServed = new Map<string, number>();
  return {
    nextIndex(queue) {
      let best = 0;
      for (let i = 1; i < queue.length && queue[i]!.priority === queue[0]!.priority; i += 1) {
        if ((lastServed.get(queue[i]!.share) ?? 0) < (lastServed.get(queue[best]!.share) ?? 0)) best = i;
      }
      return best;
    },
    served(share, stillWaiting) {
      lastServed.set(share, (counter += 1));
      // A long-lived process sees one share per run: keep only the shares still waiting.
      if (lastServed.size > 10_000) {
        const waiting = new Set([...stillWaiting()].map((w) => w.share));
        for (const key of lastServed.keys()) if (!waiting.has(key)) lastServed.delete(key);
      }
    },
  };
}
