import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { errorMessage, runScript } from '../redis/scripts.ts';
import { BUDGET_ACQUIRE_SCRIPT, BUDGET_PAUSE_SCRIPT, BUDGET_SETTLE_SCRIPT, budgetKeys, parseAcquireReply } from './budgetScripts.ts';
import { DEFAULT_MAX_PAUSE_MS, pauseRequest, type BudgetFeedback, type BudgetSnapshot, type PauseReason, type RateBudget } from './rateBudget.ts';
import { createShareTurns } from './shareTurns.ts';

export { BUDGET_ACQUIRE_SCRIPT, BUDGET_PAUSE_SCRIPT, budgetKeys } from './budgetScripts.ts';

/**
 * A sliding-window rate budget shared through Redis by every process that calls one API host (they share one egress
 * IP, so the game counts them together). One Lua script decides atomically (budgetScripts.ts) on the server's clock;
 * the window there is `windowMs + safetyMarginMs`, the margin absorbing the varying time from grant to arrival. A 429,
 * a Retry-After or X-RateLimit-Remaining: 0 sets a shared pause (for the Retry-After, else until the game's window
 * refills; never longer than `maxPauseMs`). A lower X-RateLimit-Limit is shared too. Waiters queue locally by
 * priority, then by turns among shares; one script call is in flight per process.
 *
 * When Redis fails, the calls of all processes together must still stay within the limit in every window:
 * - the fallback (this process's share) grants nothing until a whole window has passed since Redis stopped answering,
 *   so it never adds to a shared window that may be full: a short stall costs a short wait, not a 429;
 * - waiters stay in this queue and take fallback slots one at a time, so nothing keeps granting on the side once
 *   Redis answers again;
 * - before the first shared grant after an outage, the fallback's grants still in the window are written into the
 *   shared window with their real ages, plus a reservation for the other processes' not yet written back. Both only
 *   make the shared window fuller, for at most one window.
 */
export interface RedisRateBudgetOptions {
  /** A client from `createRedisClient`. Not closed by `close()`. */
  redis: Redis;
  log: Logger;
  /** One key per API host, e.g. `giftbot:budget:wos-giftcode-api.centurygame.com`. */
  key: string;
  /** Requests allowed per window, for all processes together. */
  limit: number;
  windowMs: number;
  /** Used while Redis is unreachable. Not closed by `close()`. */
  fallback: RateBudget;
  /** Added to the window on the server and to shared pauses. Default min(1000, max(50, 5 % of windowMs)). */
  safetyMarginMs?: number;
  /** How often to check whether Redis answers again while on the fallback. Default 1000 ms. */
  probeIntervalMs?: number;
  /** How long a server-announced limit is remembered without being seen again. Default max(10 min, 10 windows). */
  limitTtlMs?: number;
  /** The longest pause accepted from the server (RATE_LIMIT_MAX_PAUSE_MS). Default 5 min. */
  maxPauseMs?: number;
  /**
   * Slots the other processes may have granted from their fallbacks and not yet written back after an outage:
   * (expected processes - 1) x each one's share. Reserved in the shared window when this process returns. Default 0.
   */
  peerFallbackSlots?: number;
}

interface Waiter {
  priority: number;
  seq: number;
  share: string; // turn-taking group (one alliance's run); see shareTurns.ts
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export function createRedisRateBudget(options: RedisRateBudgetOptions): RateBudget {
  const { redis, log, fallback, windowMs } = options;
  const configuredLimit = Math.floor(options.limit);
  if (!(configuredLimit >= 1) || !(windowMs > 0)) throw new Error('limit must be >= 1 and windowMs > 0');
  const marginMs = options.safetyMarginMs ?? Math.min(1000, Math.max(50, Math.round(windowMs * 0.05)));
  const probeIntervalMs = options.probeIntervalMs ?? 1000;
  const limitTtlMs = options.limitTtlMs ?? Math.max(10 * 60_000, 10 * windowMs);
  const maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  const peerFallbackSlots = Math.max(0, Math.floor(options.peerFallbackSlots ?? 0));
  const keys = budgetKeys(options.key);
  const scriptKeys = [keys.window, keys.pause, keys.limit, keys.fixed];
  const memberPrefix = `${process.pid}:${randomBytes(6).toString('base64url')}`;
  let memberSeq = 0;
  const nextMember = (): string => `${memberPrefix}:${++memberSeq}`;

  const queue: Waiter[] = [];
  const turns = createShareTurns();
  let arrivals = 0;
  let pumping = false;
  let closed = false;
  let sleepTimer: NodeJS.Timeout | undefined;
  let wakeSleeper: (() => void) | undefined;

  let knownLimit = configuredLimit;
  let lastCount = 0;
  let pausedUntil = 0; // epoch ms, local clock
  let pauseReason: PauseReason | null = null;
  let rateLimitedCount = 0;
  let announcedLimit: number | undefined;
  let announcedAt = 0;

  // Outage state.
  let degraded = false;
  let degradedSince = 0;
  /** performance.now() from which the fallback may grant: a whole window after Redis stopped answering. */
  let fallbackFrom = 0;
  /** performance.now() of each grant taken from the fallback, until written into the shared window. */
  let fallbackGrants: number[] = [];
  /** Cancels the fallback acquire in flight (Redis answered again, the queue emptied, or close()). */
  let fallbackAbort: AbortController | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let probing = false;

  function insert(waiter: Waiter): void {
    // Sorted by (priority, seq); new waiters go after every waiter of the same or a lower priority number.
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queue[mid]!.priority <= waiter.priority) lo = mid + 1; else hi = mid;
    }
    queue.splice(lo, 0, waiter);
  }

  function detach(waiter: Waiter): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.onAbort = undefined;
  }

  /** Grants the next waiter by priority and turns; false when nobody is waiting any more. */
  function grantNext(): boolean {
    const waiter = queue.length > 0 ? queue.splice(turns.nextIndex(queue), 1)[0] : undefined;
    if (!waiter) return false;
    turns.served(waiter.share, () => queue);
    detach(waiter);
    waiter.resolve();
    return true;
  }

  /** The pump's only sleep; `wakeSleeper` ends it early (Redis back, queue emptied, closed). */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wakeSleeper = () => {
        clearTimeout(sleepTimer);
        sleepTimer = wakeSleeper = undefined;
        resolve();
      };
      sleepTimer = setTimeout(() => wakeSleeper?.(), Math.max(1, ms));
    });

  function enterDegraded(err: unknown): void {
    if (degraded || closed) return;
    degraded = true;
    degradedSince = Date.now();
    fallbackFrom = performance.now() + windowMs + marginMs;
    log.warn(
      { event: EVENTS.budgetFallback, budget: options.key, shared: false, err: errorMessage(err), fallbackInMs: windowMs + marginMs },
      'shared rate budget unavailable (Redis); using this process’s local share once the shared window has passed',
    );
    probeTimer = setInterval(() => void probe(), probeIntervalMs);
    probeTimer.unref();
  }

  async function probe(): Promise<void> {
    if (probing || !degraded || closed) return;
    probing = true;
    try {
      await redis.ping();
      if (!degraded || closed) return;
      degraded = false;
      if (probeTimer) clearInterval(probeTimer);
      probeTimer = undefined;
      log.info(
        { event: EVENTS.budgetShared, budget: options.key, shared: true, downMs: Date.now() - degradedSince, fallbackGrants: fallbackGrants.length },
        'shared rate budget available again (Redis)',
      );
      fallbackAbort?.abort();
      wakeSleeper?.();
      void pump();
    } catch {
      // still down; the next probe tries again
    } finally {
      probing = false;
    }
  }

  /** One step on the fallback: wait out the shared window, or take one local slot for the best waiter. */
  async function serveFromFallback(): Promise<void> {
    const waitOut = fallbackFrom - performance.now();
    if (waitOut > 0) {
      await sleep(waitOut);
      return;
    }
    const head = queue[turns.nextIndex(queue)]!;
    const controller = new AbortController();
    fallbackAbort = controller;
    try {
      await fallback.acquire({ priority: head.priority, share: head.share, signal: controller.signal });
    } catch {
      return; // Redis answered again, the queue emptied, or closed: the loop decides what next
    } finally {
      fallbackAbort = undefined;
    }
    // Counted whether or not a waiter is still there: the slot is spent in the fallback's window either way.
    fallbackGrants.push(performance.now());
    grantNext();
  }

  /** Writes the fallback's grants into the shared window before the first shared grant after an outage. */
  async function settleFallbackGrants(): Promise<void> {
    const now = performance.now();
    const recent = fallbackGrants.filter((at) => now - at < windowMs + marginMs);
    const args: (string | number)[] = [windowMs + marginMs, Math.min(1000, probeIntervalMs), recent.length > 0 ? peerFallbackSlots : 0];
    for (const at of recent) args.push(Math.max(0, Math.round(now - at)), nextMember());
    await runScript(redis, BUDGET_SETTLE_SCRIPT, [keys.window], args);
    fallbackGrants = [];
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0 && !closed) {
        if (degraded) {
          await serveFromFallback();
          continue;
        }
        // A pause we know of locally (our own 429) saves a round trip, and holds even if writing it to Redis failed.
        const pausedFor = pausedUntil - Date.now();
        if (pausedFor > 0) {
          await sleep(pausedFor);
          continue;
        }
        let wait: number, count: number, limit: number, paused: number;
        try {
          if (fallbackGrants.length > 0) await settleFallbackGrants();
          const reply = await runScript(redis, BUDGET_ACQUIRE_SCRIPT, scriptKeys, [windowMs + marginMs, configuredLimit, nextMember(), windowMs]);
          [wait, count, limit, paused] = parseAcquireReply(reply);
        } catch (err) {
          enterDegraded(err);
          continue;
        }
        if (limit > 0) knownLimit = limit;
        if (count >= 0) lastCount = count;
        if (paused > 0 && Date.now() + paused > pausedUntil) {
          pausedUntil = Date.now() + paused;
          pauseReason ??= 'window-refill';
        }
        if (wait === 0) {
          grantNext();
          continue;
        }
        // Several processes wake for the same freed slot; a little jitter keeps them from asking in lockstep.
        await sleep(wait + Math.floor(Math.random() * Math.min(25, 1 + wait / 10)));
      }
    } finally {
      pumping = false;
    }
    // A waiter may have arrived after the loop's last check.
    if (queue.length > 0 && !closed) void pump();
  }

  function writeAnnouncedLimit(limit: number): void {
    const now = Date.now();
    if (announcedLimit === limit && now - announcedAt < limitTtlMs / 2) return;
    const previous = announcedLimit ?? configuredLimit;
    announcedLimit = limit;
    announcedAt = now;
    knownLimit = Math.min(configuredLimit, limit);
    if (Math.min(configuredLimit, previous) !== knownLimit) {
      log.info(
        { event: EVENTS.apiBudgetAdjusted, budget: options.key, limit: knownLimit, announced: limit },
        'rate budget follows the server’s announced limit',
      );
    }
    if (degraded) return;
    redis.set(keys.limit, String(limit), 'PX', limitTtlMs).catch((err: unknown) => {
      announcedLimit = undefined;
      enterDegraded(err);
    });
  }

  /** Pauses every process: for `ms` (capped), or until the game's window refills when `ms` is null. */
  function pauseAll(ms: number | null, reason: PauseReason, httpStatus: number | undefined): void {
    const localMs = Math.min(maxPauseMs, ms ?? windowMs + marginMs);
    const setLocal = (untilEpoch: number): void => {
      if (untilEpoch > pausedUntil) {
        pausedUntil = untilEpoch;
        pauseReason = reason;
      }
      // The fallback must know too, in case Redis fails while the pause lasts.
      const forward: BudgetFeedback = { retryAfterMs: Math.max(1, untilEpoch - Date.now()) };
      if (httpStatus !== undefined) forward.httpStatus = httpStatus;
      fallback.observe(forward);
    };
    // Our own pause holds at once when the length is known; a refill time is computed where the window is known.
    if (ms !== null || degraded) setLocal(Date.now() + localMs);
    if (degraded) return;
    runScript(redis, BUDGET_PAUSE_SCRIPT, [keys.pause, keys.fixed], [ms === null ? -1 : Math.ceil(ms), marginMs, windowMs, maxPauseMs])
      .then((reply) => {
        if (!Array.isArray(reply)) return;
        const [serverNow, until] = [Number(reply[0]), Number(reply[1])];
        if (Number.isFinite(serverNow) && Number.isFinite(until) && until > serverNow) setLocal(Date.now() + (until - serverNow));
      })
      .catch((err: unknown) => {
        setLocal(Date.now() + localMs);
        enterDegraded(err);
      });
  }

  return {
    acquire(acquireOptions?: { priority?: number; signal?: AbortSignal; share?: string }): Promise<void> {
      const signal = acquireOptions?.signal;
      if (closed) return Promise.reject(new Error('rate budget closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          priority: acquireOptions?.priority ?? 0,
          seq: ++arrivals,
          share: acquireOptions?.share ?? '',
          resolve,
          reject,
          signal,
          onAbort: undefined,
        };
        if (signal) {
          waiter.onAbort = () => {
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            detach(waiter);
            reject(signal.reason);
            if (queue.length === 0) {
              fallbackAbort?.abort();
              wakeSleeper?.();
            }
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        insert(waiter);
        void pump();
      });
    },

    observe(feedback: BudgetFeedback): void {
      if (closed) return;
      const request = pauseRequest(feedback);
      if (feedback.httpStatus === 429) rateLimitedCount += 1;
      if (request) {
        if (feedback.httpStatus === 429 || request.reason === 'retry-after') {
          log.warn(
            { event: EVENTS.apiRateLimited, budget: options.key, httpStatus: feedback.httpStatus, pauseMs: request.ms === null ? null : Math.min(maxPauseMs, request.ms), pauseReason: request.reason },
            'rate limited by the server; pausing every process that shares this budget',
          );
        }
        pauseAll(request.ms, request.reason, feedback.httpStatus);
      }
      if (feedback.limit !== undefined && Number.isFinite(feedback.limit) && feedback.limit >= 1) {
        writeAnnouncedLimit(Math.floor(feedback.limit));
      }
    },

    snapshot(): BudgetSnapshot {
      const now = Date.now();
      const paused = pausedUntil > now;
      if (degraded) {
        const local = fallback.snapshot();
        const waitingOut = fallbackFrom - performance.now();
        return {
          ...local,
          waiting: queue.length,
          // While the shared window is waited out, nobody is served: say so, and until when.
          available: waitingOut > 0 ? 0 : local.available,
          shared: false,
          rateLimitedCount,
          maxPauseMs,
        };
      }
      return {
        limit: knownLimit,
        windowMs,
        available: Math.max(0, knownLimit - lastCount),
        waiting: queue.length,
        pausedUntil: paused ? pausedUntil : 0,
        pauseReason: paused ? pauseReason : null,
        maxPauseMs,
        rateLimitedCount,
        shared: true,
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (probeTimer) clearInterval(probeTimer);
      probeTimer = undefined;
      fallbackAbort?.abort();
      wakeSleeper?.();
      const waiters = queue.splice(0, queue.length);
      for (const waiter of waiters) {
        detach(waiter);
        waiter.reject(new Error('rate budget closed'));
      }
    },
  };
}
