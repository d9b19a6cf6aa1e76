/** One answer from the gift-code API, as received: what the classifier and the rate budget read. */
export interface ApiAnswer {
  /** 0 when no HTTP answer arrived (timeout, connection refused or reset). */
  httpStatus: number;
  /** The parsed JSON body, or null when the body was not JSON. */
  body: unknown;
  /** The raw body text (truncated), kept for the log and the ledger when the body is garbage. */
  text: string;
  /** X-RateLimit-Limit / -Remaining, Retry-After, and X-RateLimit-Reset as ms until the window refills. */
  rateLimit: { limit?: number; remaining?: number; retryAfterMs?: number; resetInMs?: number };
  transportError?: { kind: 'timeout' | 'network' | 'aborted'; message: string };
  durationMs: number;
  /** Set when the body passed the size cap: reading stopped there, so `body` is null and `text` only its start. */
  tooLarge?: { maxBytes: number };
}
