/**
 * The game's per-player limit (`TOO FREQUENT.`): keep a gap between two calls for the same player, whatever run or
 * probe makes them. Shared by every run in the process.
 */
export interface PlayerSpacing {
  /** Milliseconds until this player may be called again (0 = now). */
  waitFor(key: string): number;
  /** Marks a call made now. */
  mark(key: string): void;
  /** Marks a call made `agoMs` ago (known from the store after a restart), unless a later one is known. */
  seed(key: string, agoMs: number): void;
  /**
   * Only when shared between processes (Redis): asked right before the call goes out; marks it for every process and
   * answers 0, or answers the milliseconds until another process's call to this player is a gap old (nothing marked).
   */
  claim?(key: string): Promise<number>;
}

export function createPlayerSpacing(gapMs: number, now: () => number = () => performance.now()): PlayerSpacing {
  const last = new Map<string, number>();
  return {
    waitFor(key) {
      const previous = last.get(key);
      if (previous === undefined) return 0;
      return Math.max(0, previous + gapMs - now());
    },
    seed(key, agoMs) {
      const at = now() - Math.max(0, agoMs);
      if (at + gapMs <= now()) return;
      const previous = last.get(key);
      if (previous === undefined || previous < at) last.set(key, at);
    },
    mark(key) {
      const at = now();
      last.set(key, at);
      // Forget players whose gap has long passed, so the map stays small in a long-lived process.
      if (last.size > 10_000) {
        for (const [k, t] of last) if (at - t > gapMs) last.delete(k);
      }
    },
  };
}
