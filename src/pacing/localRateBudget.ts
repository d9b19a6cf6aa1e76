import { createColdStartMargin, type ColdStartMargin } from './coldStartMargin.ts';
import {
  DEFAULT_MAX_PAUSE_MS,
  pauseRequest,
  type BudgetFeedback,
  type BudgetSnapshot,
  type PauseReason,
  type RateBudget,
} from './rateBudget.ts';
import { createShareTurns, type ShareTurns } from './shareTurns.ts';

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

/** One local budget's state; the functions below read and update it. */
interface LocalBudgetState {
  readonly options: LocalRateBudgetOptions;
  /** The clock of every grant and pause (monotonic unless a test gives its own). */
  readonly now: () => number;
  readonly windowMs: number;
  /** The safety margin added to the window, widened after an idle spell (coldStartMargin.ts). */
  readonly margin: ColdStartMargin;
  /** Requests per window; a lower X-RateLimit-Limit from the server replaces it. */
  limit: number;
  readonly maxPauseMs: number;
  /** On `now()`'s clock; no slot is granted before it. */
  pausedUntil: number;
  pauseReason: PauseReason | null;
  rateLimitedCount: number;
  /** When the game's fixed window opened, as far as our own calls tell (the first grant after the last one ended). */
  windowOpenedAt: number;
  /** Times of the grants still in the window (and phantom slots the server says someone else spent). */
  grants: number[];
  /** Ordered by priority, then arrival. */
  waiters: Waiter[];
  /** Arrival counter. */
  seq: number;
  /** Turn-taking among shares of one priority. */
  readonly turns: ShareTurns;
  /** Wakes the pump when the next slot frees. */
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** The pump pending for the end of this turn of the event loop (see schedulePump). */
  pumpSoon: NodeJS.Immediate | undefined;
}

/**
 * The in-process budget for one API host: a sliding window of grant times, with a pause after 429s and phantom slots
 * when the server reports fewer requests remaining than we think (someone else on the same IP is spending them).
 */
export function createLocalRateBudget(options: LocalRateBudgetOptions): RateBudget {
  const windowMs = options.windowMs;
  const baseMarginMs = options.marginMs ?? Math.max(50, windowMs * 0.01);
  const maxMarginMs = Math.max(baseMarginMs, options.maxMarginMs ?? windowMs * 0.2);
  const state: LocalBudgetState = {
    options,
    now: options.now ?? (() => performance.now()),
    windowMs,
    margin: createColdStartMargin(windowMs, baseMarginMs, maxMarginMs),
    limit: Math.max(1, Math.floor(options.limit)),
    maxPauseMs: options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS,
    pausedUntil: 0,
    pauseReason: null,
    rateLimitedCount: 0,
    windowOpenedAt: -Infinity,
    grants: [],
    waiters: [],
    seq: 0,
    turns: createShareTurns(),
    timer: undefined,
    closed: false,
    pumpSoon: undefined,
  };
  return {
    acquire: (acquireOptions) => acquire(state, acquireOptions),
    observe: (feedback) => observe(state, feedback),
    snapshot: () => snapshot(state),
    close: () => close(state),
  };
}

/**
 * Requests arriving together (alliances started at the same moment) are granted after the current turn of the event
 * loop, not one by one as they arrive: then free slots (a fresh window's burst) go by turns among the alliances
 * instead of to whichever run's workers asked first.
 */
function schedulePump(state: LocalBudgetState): void {
  state.pumpSoon ??= setImmediate(() => {
    state.pumpSoon = undefined;
    pump(state);
  });
}

function prune(state: LocalBudgetState, at: number): void {
  const cutoff = at - (state.windowMs + state.margin.at(at));
  if (state.grants.length > 0 && state.grants[0]! <= cutoff) state.grants = state.grants.filter((t) => t > cutoff);
}

/** Milliseconds until the next slot, 0 when one is free now. */
function waitTime(state: LocalBudgetState, at: number): number {
  prune(state, at);
  const pause = Math.max(0, state.pausedUntil - at);
  if (state.grants.length < state.limit) return pause;
  const oldestThatMustExpire = state.grants[state.grants.length - state.limit]!;
  return Math.max(pause, oldestThatMustExpire + state.windowMs + state.margin.at(at) - at);
}

function pump(state: LocalBudgetState): void {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = undefined;
  }
  while (state.waiters.length > 0) {
    const at = state.now();
    const wait = waitTime(state, at);
    if (wait > 0) {
      // Wake up early when a slow trip stops counting: the margin shrinks then, and a slot may free sooner.
      const tripExpires = state.margin.nextExpiryIn(at);
      state.timer = setTimeout(() => pump(state), Math.ceil(Math.max(1, Math.min(wait, tripExpires))));
      return;
    }
    const next = state.waiters.splice(state.turns.nextIndex(state.waiters), 1)[0]!;
    if (state.grants.length === 0) state.margin.idleEnded(at);
    if (at >= state.windowOpenedAt + state.windowMs) state.windowOpenedAt = at;
    state.turns.served(next.share, () => state.waiters);
    if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
    state.grants.push(at);
    next.resolve();
  }
}

function acquire(
  state: LocalBudgetState,
  { priority = 0, signal, share = '' }: { priority?: number; signal?: AbortSignal; share?: string } = {},
): Promise<void> {
  if (state.closed) return Promise.reject(new Error('rate budget closed'));
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = { priority, seq: state.seq++, share, resolve, reject, signal, onAbort: undefined };
    if (signal) {
      waiter.onAbort = () => {
        state.waiters = state.waiters.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    // Keep the queue ordered by priority, then arrival.
    const index = state.waiters.findIndex((w) => w.priority > priority);
    if (index === -1) state.waiters.push(waiter);
    else state.waiters.splice(index, 0, waiter);
    schedulePump(state);
  });
}

function observe(state: LocalBudgetState, feedback: BudgetFeedback): void {
  const { windowMs } = state;
  const at = state.now();
  state.margin.observeTrip(at, feedback.durationMs);
  if (feedback.limit !== undefined && feedback.limit > 0 && feedback.limit < state.limit) {
    state.options.onAdjust?.({ from: state.limit, to: feedback.limit, reason: 'server X-RateLimit-Limit' });
    state.limit = feedback.limit;
  }
  if (feedback.httpStatus === 429) state.rateLimitedCount += 1;
  const request = pauseRequest(feedback);
  if (request) {
    // Without a length from the server: until the game's window refills (its start + the window), not a guess.
    const refillIn = state.windowOpenedAt + windowMs + state.margin.at(at) - at;
    const wanted = request.ms ?? state.options.defaultPauseMs ?? (refillIn > 0 ? refillIn : windowMs);
    const until = at + Math.min(state.maxPauseMs, wanted);
    if (until > state.pausedUntil) {
      state.pausedUntil = until;
      state.pauseReason = request.reason;
    }
  }
  if (feedback.httpStatus !== 429 && feedback.remaining !== undefined) {
    // The server knows better than our count (another process or bot on this IP spends the same budget).
    prune(state, at);
    const ourAvailable = Math.max(0, state.limit - state.grants.length);
    const phantoms = Math.min(state.limit, ourAvailable - Math.max(0, feedback.remaining));
    for (let i = 0; i < phantoms; i += 1) state.grants.push(at);
    if (phantoms > 0) state.grants.sort((a, b) => a - b);
  }
  pump(state);
}

function snapshot(state: LocalBudgetState): BudgetSnapshot {
  const at = state.now();
  prune(state, at);
  return {
    limit: state.limit,
    windowMs: state.windowMs,
    available: Math.max(0, state.limit - state.grants.length),
    waiting: state.waiters.length,
    pausedUntil: state.pausedUntil > at ? Date.now() + (state.pausedUntil - at) : 0,
    pauseReason: state.pausedUntil > at ? state.pauseReason : null,
    maxPauseMs: state.maxPauseMs,
    rateLimitedCount: state.rateLimitedCount,
    shared: false,
  };
}

async function close(state: LocalBudgetState): Promise<void> {
  state.closed = true;
  if (state.timer) clearTimeout(state.timer);
  if (state.pumpSoon) clearImmediate(state.pumpSoon);
  const pending = state.waiters;
  state.waiters = [];
  for (const waiter of pending) waiter.reject(new Error('rate budget closed'));
}
