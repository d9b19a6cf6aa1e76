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
  /** From Retry-After (429) or a similar hint; the budget pauses everyone for this long. */
  retryAfterMs?: number;
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
  /** Epoch ms until which every caller is paused (after a 429), or 0. */
  pausedUntil: number;
  rateLimitedCount: number;
  shared: boolean;
}

/** Priorities: smaller is served first. */
export const PRIORITY = {
  redeem: 0,
  validation: 0,
  discovery: 10,
} as const;
