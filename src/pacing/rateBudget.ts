/**
 * The contract every rate budget implements: the in-process sliding window (one process) and the Redis-shared window
 * (several processes on one egress IP). The engine asks for a slot before every API call and reports what the server
 * said afterwards, so the budget follows the server rather than a fixed guess.
 */
export interface RateBudget {
  /**
   * Resolves when one request may be sent now. Waiters are served by priority (lower number first), then in arrival
   * order, so redemption runs overtake background work such as state discovery. Rejects with the signal's reason when
   * aborted. `share` (e.g. one alliance's run): among waiters of one priority, the share served least recently goes
   * first, so twenty alliances started together each get a call in the first window instead of queueing behind the
   * first alliances' workers. Waiters without a share form one share of their own.
   */
  acquire(options?: { priority?: number; signal?: AbortSignal; share?: string }): Promise<void>;
  /** What one answer said about the budget: headers, 429s and their Retry-After. */
  observe(feedback: BudgetFeedback): void;
  snapshot(): BudgetSnapshot;
  close(): Promise<void>;
}

export interface BudgetFeedback {
  httpStatus?: number;
  /** X-RateLimit-Limit */
  limit?: number;
  /** X-RateLimit-Remaining */
  remaining?: number;
  /** From Retry-After (429) or a similar hint; the budget pauses everyone for this long (capped at `maxPauseMs`). */
  retryAfterMs?: number;
  /** From X-RateLimit-Reset: ms until the server's window refills. Used for a 429 or `remaining: 0` without Retry-After. */
  resetInMs?: number;
  /**
   * Request to answer, in ms. The server counts a call when it arrives, somewhere within this time after our grant,
   * so the budget widens its safety margin to the slowest recent round trip (a cold connection's first call is slow).
   */
  durationMs?: number;
}

export interface BudgetSnapshot {
  /** Requests allowed per window right now (may have been lowered by the server's X-RateLimit-Limit). */
  limit: number;
  windowMs: number;
  /** Slots left in the current window (an estimate for shared budgets). */
  available: number;
  /** Callers waiting for a slot. */
  waiting: number;
  /** Epoch ms until which every caller is paused (after a 429 or a spent window), or 0. */
  pausedUntil: number;
  /**
   * Why the budget is paused (null when it is not): `retry-after` the server said how long; `window-refill` the
   * game's window is spent (a 429 without Retry-After, or X-RateLimit-Remaining: 0) and refills at `pausedUntil`.
   */
  pauseReason: PauseReason | null;
  /** The longest pause the budget accepts (RATE_LIMIT_MAX_PAUSE_MS); a longer Retry-After is cut to this. */
  maxPauseMs: number;
  rateLimitedCount: number;
  shared: boolean;
}

export type PauseReason = 'retry-after' | 'window-refill';

/** Default cap of any pause (RATE_LIMIT_MAX_PAUSE_MS): a `Retry-After: 86400` must not stall every process for a day. */
export const DEFAULT_MAX_PAUSE_MS = 300_000;

/**
 * What one answer asks of the budget: a pause of a known length (Retry-After, else X-RateLimit-Reset), a pause until
 * the game's window refills (a 429 without either, or X-RateLimit-Remaining: 0), or nothing.
 */
export function pauseRequest(feedback: BudgetFeedback): { ms: number | null; reason: PauseReason } | null {
  const is429 = feedback.httpStatus === 429;
  if (feedback.retryAfterMs !== undefined && feedback.retryAfterMs > 0)
    return { ms: feedback.retryAfterMs, reason: 'retry-after' };
  if (!is429 && feedback.remaining !== 0) return null;
  if (feedback.resetInMs !== undefined && feedback.resetInMs > 0)
    return { ms: feedback.resetInMs, reason: 'window-refill' };
  return { ms: null, reason: 'window-refill' };
}

/** Priorities: smaller is served first. */
export const PRIORITY = {
  redeem: 0,
  validation: 0,
  discovery: 10,
} as const;
