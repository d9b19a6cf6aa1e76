import { createShareTurns } from './shareTurns.ts';
import { DEFAULT_MAX_PAUSE_MS, pauseRequest, type BudgetFeedback, type BudgetSnapshot, type PauseReason, type RateBudget } from './rateBudget.ts';

export interface LocalRateBudgetOptions {
  /** Requests allowed per window (the starting budget; a lower X-RateLimit-Limit from the server replaces it). */
  limit: number;
  windowMs: number;
  /**
   * Pause after a 429 that carries no Retry-After. Default: until the game's window refills (it opens at the first
   * call and refills `windowMs` later; the budget tracks that moment from its own grants).
   */
  defaultPauseMs?: number;
  /** The longest pause accepted from the server (RATE_LIMIT_MAX_PAUSE_MS). Default 5 min. */
  maxPauseMs?: number;
  /**
   * Added to the window so that latency jitter cannot land limit+1 calls inside one server window.
   * Default: 1 % of the window, at least 50 ms. After an idle spell, widened to the slowest round trip of the first
   * window's calls (see BudgetFeedback.durationMs), up to `maxMarginMs`.
   */
  marginMs?: number;
  /** Default: 20 % of the window. */
  maxMarginMs?: number;
  onAdjust?: (change: { from: number; to: number; reason: string }) => void;
  now?: () => number;
}

interface Waiter {
  priority: number;
  seq: number;
  share: string;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The in-process budget for one API host: a sliding window of grant times, with a pause after 429s and phantom slots
 * when the server reports fewer requests remaining than we think (someone else on the same IP is spending them).
 */
export function createLocalRateBudget(options: LocalRateBudgetOptions): RateBudget {
  const now = options.now ?? (() => performance.now());
  const windowMs = options.windowMs;
  const baseMarginMs = options.marginMs ?? Math.max(50, windowMs * 0.01);
  const maxMarginMs = Math.max(baseMarginMs, options.maxMarginMs ?? windowMs * 0.2);
  // We stamp a slot when we grant it, the server counts the call when it arrives. Calls sent in the first window
  // after the budget was idle may open the server's window late (a cold connection: TCP/TLS set-up before the request
  // is even sent), and then the next window's first calls land inside it: 429. So the round trips of those calls (an
  // upper bound on their delay) widen the margin until they have left the window. Steady traffic keeps the base margin.
  let idleEndedAt: number | null = null;
  let trips: { at: number; ms: number }[] = [];
  const marginAt = (at: number): number => {
    // A trip matters until its slot (granted before its answer) has left the window.
    const cutoff = at - windowMs - maxMarginMs;
    if (trips.length > 0 && trips[0]!.at <= cutoff) trips = trips.filter((t) => t.at > cutoff);
    let slowest = 0;
    for (const trip of trips) slowest = Math.max(slowest, trip.ms);
    return Math.min(maxMarginMs, Math.max(baseMarginMs, slowest));
  };
  let limit = Math.max(1, Math.floor(options.limit));
  const maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  let pausedUntil = 0;
  let pauseReason: PauseReason | null = null;
  let rateLimitedCount = 0;
  // When the game's fixed window opened, as far as our own calls tell (the first grant after the last one ended).
  let windowOpenedAt = -Infinity;
  let grants: number[] = [];
  let waiters: Waiter[] = [];
  let seq = 0;
  const turns = createShareTurns();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // Requests arriving together (alliances started at the same moment) are granted after the current turn of the event
  // loop, not one by one as they arrive: then free slots (a fresh window's burst) go by turns among the alliances
  // instead of to whichever run's workers asked first.
  let pumpSoon: NodeJS.Immediate | undefined;
  const schedulePump = () => {
    pumpSoon ??= setImmediate(() => {
      pumpSoon = undefined;
      pump();
    });
  };

  const prune = (at: number) => {
    const cutoff = at - (windowMs + marginAt(at));
    if (grants.length > 0 && grants[0]! <= cutoff) grants = grants.filter((t) => t > cutoff);
  };

  /** Milliseconds until the next slot, 0 when one is free now. */
  const waitTime = (at: number): number => {
    prune(at);
    const pause = Math.max(0, pausedUntil - at);
    if (grants.length < limit) return pause;
    const oldestThatMustExpire = grants[grants.length - limit]!;
    return Math.max(pause, oldestThatMustExpire + windowMs + marginAt(at) - at);
  };

  const pump = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (waiters.length > 0) {
      const at = now();
      const wait = waitTime(at);
      if (wait > 0) {
        // Wake up early when a slow trip stops counting: the margin shrinks then, and a slot may free sooner.
        const tripExpires = trips.length > 0 ? trips[0]!.at + windowMs + maxMarginMs - at : Infinity;
        timer = setTimeout(pump, Math.ceil(Math.max(1, Math.min(wait, tripExpires))));
        return;
      }
      const next = waiters.splice(turns.nextIndex(waiters), 1)[0]!;
      if (grants.length === 0) idleEndedAt = at;
      if (at >= windowOpenedAt + windowMs) windowOpenedAt = at;
      turns.served(next.share, () => waiters);
      if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
      grants.push(at);
      next.resolve();
    }
  };

  const budget: RateBudget = {
    acquire({ priority = 0, signal, share = '' } = {}) {
      if (closed) return Promise.reject(new Error('rate budget closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { priority, seq: seq++, share, resolve, reject, signal, onAbort: undefined };
        if (signal) {
          waiter.onAbort = () => {
            waiters = waiters.filter((w) => w !== waiter);
            reject(signal.reason);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        // Keep the queue ordered by priority, then arrival.
        const index = waiters.findIndex((w) => w.priority > priority);
        if (index === -1) waiters.push(waiter);
        else waiters.splice(index, 0, waiter);
        schedulePump();
      });
    },
    observe(feedback: BudgetFeedback) {
      const at = now();
      const sentAt = feedback.durationMs === undefined ? null : at - feedback.durationMs;
      if (sentAt !== null && idleEndedAt !== null && sentAt <= idleEndedAt + windowMs) trips.push({ at, ms: feedback.durationMs! });
      if (feedback.limit !== undefined && feedback.limit > 0 && feedback.limit < limit) {
        options.onAdjust?.({ from: limit, to: feedback.limit, reason: 'server X-RateLimit-Limit' });
        limit = feedback.limit;
      }
      if (feedback.httpStatus === 429) rateLimitedCount += 1;
      const request = pauseRequest(feedback);
      if (request) {
        // Without a length from the server: until the game's window refills (its start + the window), not a guess.
        const refillIn = windowOpenedAt + windowMs + marginAt(at) - at;
        const wanted = request.ms ?? options.defaultPauseMs ?? (refillIn > 0 ? refillIn : windowMs);
        const until = at + Math.min(maxPauseMs, wanted);
        if (until > pausedUntil) {
          pausedUntil = until;
          pauseReason = request.reason;
        }
      }
      if (feedback.httpStatus !== 429 && feedback.remaining !== undefined) {
        // The server knows better than our count (another process or bot on this IP spends the same budget).
        prune(at);
        const ourAvailable = Math.max(0, limit - grants.length);
        const phantoms = Math.min(limit, ourAvailable - Math.max(0, feedback.remaining));
        for (let i = 0; i < phantoms; i += 1) grants.push(at);
        if (phantoms > 0) grants.sort((a, b) => a - b);
      }
      pump();
    },
    snapshot(): BudgetSnapshot {
      const at = now();
      prune(at);
      return {
        limit,
        windowMs,
        available: Math.max(0, limit - grants.length),
        waiting: waiters.length,
        pausedUntil: pausedUntil > at ? Date.now() + (pausedUntil - at) : 0,
        pauseReason: pausedUntil > at ? pauseReason : null,
        maxPauseMs,
        rateLimitedCount,
        shared: false,
      };
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (pumpSoon) clearImmediate(pumpSoon);
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter.reject(new Error('rate budget closed'));
    },
  };
  return budget;
}
