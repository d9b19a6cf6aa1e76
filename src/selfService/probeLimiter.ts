/**
 * At most `limit` player checks per Discord user per window (in memory: a restart forgets, which costs at most one more
 * window's worth). A member cannot make the bot spend the alliance's budget by repeating `/me link`.
 */
export interface ProbeLimiter {
  /** Takes one check for the user: null when allowed, else the milliseconds until the next one is. */
  take(userId: string, now?: number): number | null;
  readonly limit: number;
}

export const SELF_SERVICE_PROBES_PER_HOUR = 3;

export function createProbeLimiter(limit = SELF_SERVICE_PROBES_PER_HOUR, windowMs = 60 * 60_000): ProbeLimiter {
  const taken = new Map<string, number[]>();
  return {
    limit,
    take(userId, now = Date.now()) {
      const recent = (taken.get(userId) ?? []).filter((at) => now - at < windowMs);
      if (recent.length >= limit) {
        taken.set(userId, recent);
        return windowMs - (now - recent[0]!);
      }
      recent.push(now);
      taken.set(userId, recent);
      // Forget users with nothing in the window, so the map does not grow with every member ever seen.
      if (taken.size > 10_000)
        for (const [id, times] of taken) if (times.every((at) => now - at >= windowMs)) taken.delete(id);
      return null;
    },
  };
}
