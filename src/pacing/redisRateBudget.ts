import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { defineScript, errorMessage, runScript } from '../redis/scripts.ts';
import type { BudgetFeedback, BudgetSnapshot, RateBudget } from './rateBudget.ts';
import { createShareTurns } from './shareTurns.ts';

/**
 * A sliding-window rate budget shared through Redis by every process that calls one API host (they share one egress
 * IP, so the game server counts them together).
 *
 * - One Lua script decides atomically: a sorted set holds one member per granted request, scored with the server's
 *   clock (Redis TIME, so process clocks do not matter); members older than the window are trimmed; below the limit
 *   the request is recorded and granted (0), otherwise the script answers how many ms until the oldest member that
 *   matters leaves the window.
 * - The window used on the server is `windowMs + safetyMarginMs`: the time between the server granting and the game
 *   server receiving the call varies from call to call, and the margin absorbs that variation.
 * - A 429 (or any Retry-After hint) sets a shared pause key, so one process's 429 slows everyone.
 * - A server-announced limit (X-RateLimit-Limit) lower than ours is stored in a shared key and honoured by all.
 * - Waiters are queued locally by priority (lower first), then in arrival order; one script call is in flight per
 *   process at a time.
 * - When a Redis command fails or times out, the budget switches to `fallback` (an in-process budget at this process's
 *   share) until a background PING succeeds again; the switch is logged once per outage.
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
}

// KEYS[1] = window (sorted set), KEYS[2] = pause, KEYS[3] = shared limit.
// ARGV[1] = window ms (margin included), ARGV[2] = configured limit, ARGV[3] = unique member.
// Returns {waitMs (0 = granted), count in window, effective limit, paused ms remaining}.
export const BUDGET_ACQUIRE_SCRIPT = defineScript(
  'giftbot_budget_acquire',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local shared = tonumber(redis.call('GET', KEYS[3]) or '')
if shared and shared >= 1 and shared < limit then
  limit = math.floor(shared)
end
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if pausedUntil > now then
  return {pausedUntil - now, -1, limit, pausedUntil - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return {0, count + 1, limit, 0}
end
local edge = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local wait = tonumber(edge[2]) + window - now
if wait < 1 then
  wait = 1
end
return {wait, count, limit, 0}`,
);

// KEYS[1] = pause; ARGV[1] = pause ms. Extends (never shortens) the shared pause. Returns {now, pausedUntil}.
export const BUDGET_PAUSE_SCRIPT = defineScript(
  'giftbot_budget_pause',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local untilMs = now + ms
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if untilMs > cur then
  redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', ms)
  cur = untilMs
end
return {now, cur}`,
);

export function budgetKeys(key: string): { window: string; pause: string; limit: string } {
  // One hash tag for all three so the scripts work on Redis Cluster too.
  const tag = key.includes('{') ? key : `{${key}}`;
  return { window: `${tag}:window`, pause: `${tag}:pause`, limit: `${tag}:limit` };
}

interface Waiter {
  priority: number;
  seq: number;
  /** Turn-taking group (one alliance's run); see shareTurns.ts. */
  share: string;
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
  const keys = budgetKeys(options.key);
  const scriptKeys = [keys.window, keys.pause, keys.limit];
  const memberPrefix = `${process.pid}:${randomBytes(6).toString('base64url')}`;
  let memberSeq = 0;

  const queue: Waiter[] = [];
  const turns = createShareTurns();
  let arrivals = 0;
  let pumping = false;
  let closed = false;
  let sleepTimer: NodeJS.Timeout | undefined;
  let wakeSleeper: (() => void) | undefined;

  // What we last learned (estimates for snapshot()).
  let knownLimit = configuredLimit;
  let lastCount = 0;
  let pausedUntil = 0; // epoch ms, local clock
  let rateLimitedCount = 0;
  let announcedLimit: number | undefined;
  let announcedAt = 0;

  // Outage state.
  let degraded = false;
  let degradedSince = 0;
  let probeTimer: NodeJS.Timeout | undefined;
  let probing = false;

  function insert(waiter: Waiter): void {
    // Sorted by (priority, seq); new waiters go after every waiter of the same or a lower priority number.
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = queue[mid]!;
      if (other.priority <= waiter.priority) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, waiter);
  }

  function detach(waiter: Waiter): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    waiter.onAbort = undefined;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wakeSleeper = () => {
        if (sleepTimer) clearTimeout(sleepTimer);
        sleepTimer = undefined;
        wakeSleeper = undefined;
        resolve();
      };
      sleepTimer = setTimeout(() => wakeSleeper?.(), Math.max(1, ms));
    });
  }

  function enterDegraded(err: unknown): void {
    if (degraded || closed) return;
    degraded = true;
    degradedSince = Date.now();
    log.warn(
      { event: EVENTS.budgetFallback, budget: options.key, shared: false, err: errorMessage(err) },
      'shared rate budget unavailable (Redis); using this process’s local share until it answers again',
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
        { event: EVENTS.budgetShared, budget: options.key, shared: true, downMs: Date.now() - degradedSince },
        'shared rate budget available again (Redis)',
      );
      void pump();
    } catch {
      // still down; the next probe tries again
    } finally {
      probing = false;
    }
  }

  /** Hands every local waiter to the fallback, in order, keeping its priority and signal. */
  function drainToFallback(): void {
    const waiters = queue.splice(0, queue.length);
    for (const waiter of waiters) {
      detach(waiter);
      const fallbackOptions: { priority: number; signal?: AbortSignal; share: string } = { priority: waiter.priority, share: waiter.share };
      if (waiter.signal) fallbackOptions.signal = waiter.signal;
      fallback.acquire(fallbackOptions).then(waiter.resolve, waiter.reject);
    }
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0 && !closed) {
        if (degraded) {
          drainToFallback();
          break;
        }
        // A pause we know of locally (our own 429) saves a round trip, and holds even if writing it to Redis failed.
        const pausedFor = pausedUntil - Date.now();
        if (pausedFor > 0) {
          await sleep(pausedFor);
          continue;
        }
        let wait: number, count: number, limit: number, paused: number;
        try {
          const reply = await runScript(redis, BUDGET_ACQUIRE_SCRIPT, scriptKeys, [
            windowMs + marginMs,
            configuredLimit,
            `${memberPrefix}:${++memberSeq}`,
          ]);
          [wait, count, limit, paused] = parseReply(reply);
        } catch (err) {
          enterDegraded(err);
          continue;
        }
        if (limit > 0) knownLimit = limit;
        if (count >= 0) lastCount = count;
        if (paused > 0) pausedUntil = Math.max(pausedUntil, Date.now() + paused);
        if (wait === 0) {
          const waiter = queue.length > 0 ? queue.splice(turns.nextIndex(queue), 1)[0] : undefined;
          if (waiter) {
            turns.served(waiter.share, () => queue);
            detach(waiter);
            waiter.resolve();
          }
          continue;
        }
        // Several processes wake for the same freed slot; a little jitter keeps them from asking in lockstep.
        await sleep(wait + Math.floor(Math.random() * Math.min(25, 1 + wait / 10)));
      }
    } finally {
      pumping = false;
    }
    // A waiter may have arrived after the loop's last check.
    if (queue.length > 0 && !closed && !degraded) void pump();
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

  function sharePause(ms: number): void {
    if (degraded) return;
    runScript(redis, BUDGET_PAUSE_SCRIPT, [keys.pause], [Math.ceil(ms + marginMs)]).catch((err: unknown) =>
      enterDegraded(err),
    );
  }

  return {
    acquire(acquireOptions?: { priority?: number; signal?: AbortSignal; share?: string }): Promise<void> {
      const signal = acquireOptions?.signal;
      if (closed) return Promise.reject(new Error('rate budget closed'));
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (degraded) return fallback.acquire(acquireOptions);
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
            if (queue.length === 0) wakeSleeper?.();
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        insert(waiter);
        void pump();
      });
    },

    observe(feedback: BudgetFeedback): void {
      if (closed) return;
      const is429 = feedback.httpStatus === 429;
      const hinted = feedback.retryAfterMs !== undefined && feedback.retryAfterMs > 0;
      if (is429 || hinted) {
        const pauseMs = hinted ? feedback.retryAfterMs! : windowMs;
        if (is429) rateLimitedCount += 1;
        pausedUntil = Math.max(pausedUntil, Date.now() + pauseMs);
        log.warn(
          { event: EVENTS.apiRateLimited, budget: options.key, httpStatus: feedback.httpStatus, pauseMs },
          'rate limited by the server; pausing every process that shares this budget',
        );
        sharePause(pauseMs);
        // The fallback must know too, in case Redis fails while the pause lasts.
        const forward: BudgetFeedback = { retryAfterMs: pauseMs };
        if (feedback.httpStatus !== undefined) forward.httpStatus = feedback.httpStatus;
        fallback.observe(forward);
      }
      if (feedback.limit !== undefined && Number.isFinite(feedback.limit) && feedback.limit >= 1) {
        writeAnnouncedLimit(Math.floor(feedback.limit));
      }
    },

    snapshot(): BudgetSnapshot {
      const now = Date.now();
      if (degraded) {
        return { ...fallback.snapshot(), shared: false, rateLimitedCount };
      }
      return {
        limit: knownLimit,
        windowMs,
        available: Math.max(0, knownLimit - lastCount),
        waiting: queue.length,
        pausedUntil: pausedUntil > now ? pausedUntil : 0,
        rateLimitedCount,
        shared: true,
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (probeTimer) clearInterval(probeTimer);
      probeTimer = undefined;
      wakeSleeper?.();
      const waiters = queue.splice(0, queue.length);
      for (const waiter of waiters) {
        detach(waiter);
        waiter.reject(new Error('rate budget closed'));
      }
    },
  };
}

function parseReply(reply: unknown): [wait: number, count: number, limit: number, paused: number] {
  if (!Array.isArray(reply)) throw new Error(`unexpected budget script reply: ${String(reply)}`);
  const n = (i: number): number => {
    const value = Number(reply[i]);
    return Number.isFinite(value) ? value : 0;
  };
  return [Math.max(0, n(0)), n(1), n(2), Math.max(0, n(3))];
}
