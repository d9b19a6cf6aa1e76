/**
 * Per-key fixed-window limiter shaped like Laravel's `throttle` middleware (what the real API answers look like):
 * a window opens at the first counted hit and lasts `windowMs`; hits over the limit are refused and NOT counted, so
 * hammering a full window does not extend it.
 */
export interface BudgetDecision {
  allowed: boolean;
  limit: number;
  /** Hits left in the window after this one (0 when refused). */
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetInMs: number;
}

interface Window {
  startedAt: number;
  hits: number;
}

export class FixedWindowBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly windows = new Map<string, Window>();

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`rate window must be positive, got ${windowMs}`);
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Tries to count one hit for `key` at monotonic time `now` (ms). */
  hit(key: string, now: number): BudgetDecision {
    let window = this.windows.get(key);
    if (!window || now >= window.startedAt + this.windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      window = { startedAt: now, hits: 0 };
      this.windows.set(key, window);
    }
    const resetInMs = window.startedAt + this.windowMs - now;
    if (window.hits >= this.limit) {
      return { allowed: false, limit: this.limit, remaining: 0, resetInMs };
    }
    window.hits += 1;
    return { allowed: true, limit: this.limit, remaining: this.limit - window.hits, resetInMs };
  }

  // Keeps memory bounded when many keys pass through (e.g. a benchmark with many source addresses).
  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now >= window.startedAt + this.windowMs) this.windows.delete(key);
    }
  }
}
