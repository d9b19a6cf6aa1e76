export interface RetryPolicy {
  /** Calls per member in one run before it is left for a later run. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 60_000 };

/**
 * Delay before a member's next attempt: the server's hint, or exponential backoff from the base, whichever is
 * longer, capped, with ±20 % jitter so retried members do not all return at once.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  hintMs: number,
  random: () => number = Math.random,
): number {
  const backoff = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const delay = Math.min(policy.maxDelayMs, Math.max(hintMs, backoff));
  return Math.round(delay * (0.8 + 0.4 * random()));
}
