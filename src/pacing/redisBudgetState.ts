import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';
import { budgetKeys } from './budgetScripts.ts';
import { DEFAULT_MAX_PAUSE_MS, type PauseReason, type RateBudget } from './rateBudget.ts';
import { createShareTurns } from './shareTurns.ts';

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

export interface Waiter {
  priority: number;
  seq: number;
  share: string; // turn-taking group (one alliance's run); see shareTurns.ts
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * One Redis-shared budget's state, in one place: its settings, the local queue, what the server last told, and the
 * outage bookkeeping. The pump (redisBudgetPump.ts), the outage steps (redisBudgetOutage.ts) and the feedback
 * (redisBudgetFeedback.ts) read and update it.
 */
export interface RedisBudgetState {
  readonly redis: Redis;
  readonly log: Logger;
  /** Used while Redis is unreachable. */
  readonly fallback: RateBudget;
  /** The budget's Redis key, also named in every log line. */
  readonly key: string;
  readonly windowMs: number;
  /** The limit we were given; a server-announced limit may only lower it. */
  readonly configuredLimit: number;
  /** Added to the window on the server and to shared pauses. */
  readonly marginMs: number;
  /** How often to ping Redis while on the fallback. */
  readonly probeIntervalMs: number;
  /** How long the announced limit lives in Redis without being seen again. */
  readonly limitTtlMs: number;
  /** The longest pause accepted from the server. */
  readonly maxPauseMs: number;
  /** Slots reserved for the other processes' fallback grants after an outage. */
  readonly peerFallbackSlots: number;
  readonly keys: ReturnType<typeof budgetKeys>;
  /** The keys the acquire script reads, in its order. */
  readonly scriptKeys: string[];
  /** Makes this process's window members unique across processes. */
  readonly memberPrefix: string;
  memberSeq: number;

  /** Waiters sorted by (priority, seq). */
  readonly queue: Waiter[];
  /** Turn-taking among shares of one priority. */
  readonly turns: ReturnType<typeof createShareTurns>;
  /** Arrival counter: the tie-break of the queue order. */
  arrivals: number;
  /** One pump loop at a time: one script call in flight per process. */
  pumping: boolean;
  closed: boolean;
  /** The pump's sleep, and how to end it early (Redis back, queue emptied, closed). */
  sleepTimer: NodeJS.Timeout | undefined;
  wakeSleeper: (() => void) | undefined;

  /** The limit as the server last said (for snapshots). */
  knownLimit: number;
  /** The shared window's count at the last script call (for snapshots). */
  lastCount: number;
  /** performance.now() until which we know calls are paused (saves a round trip); monotonic, so a clock step cannot stretch or cut it. */
  pausedUntil: number;
  pauseReason: PauseReason | null;
  rateLimitedCount: number;
  /** The last X-RateLimit-Limit written to Redis, and when: repeated headers are not written again each time. */
  announcedLimit: number | undefined;
  announcedAt: number;

  /** Redis stopped answering: waiters are served from the fallback. */
  degraded: boolean;
  degradedSince: number;
  /** performance.now() from which the fallback may grant: a whole window after Redis stopped answering. */
  fallbackFrom: number;
  /** performance.now() of each grant taken from the fallback, until written into the shared window. */
  fallbackGrants: number[];
  /** Cancels the fallback acquire in flight (Redis answered again, the queue emptied, or close()). */
  fallbackAbort: AbortController | undefined;
  probeTimer: NodeJS.Timeout | undefined;
  /** One ping in flight at a time. */
  probing: boolean;
}

export function createRedisBudgetState(options: RedisRateBudgetOptions): RedisBudgetState {
  const { windowMs } = options;
  const configuredLimit = Math.floor(options.limit);
  if (!(configuredLimit >= 1) || !(windowMs > 0)) throw new Error('limit must be >= 1 and windowMs > 0');
  const keys = budgetKeys(options.key);
  return {
    redis: options.redis,
    log: options.log,
    fallback: options.fallback,
    key: options.key,
    windowMs,
    configuredLimit,
    marginMs: options.safetyMarginMs ?? Math.min(1000, Math.max(50, Math.round(windowMs * 0.05))),
    probeIntervalMs: options.probeIntervalMs ?? 1000,
    limitTtlMs: options.limitTtlMs ?? Math.max(10 * 60_000, 10 * windowMs),
    maxPauseMs: options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS,
    peerFallbackSlots: Math.max(0, Math.floor(options.peerFallbackSlots ?? 0)),
    keys,
    scriptKeys: [keys.window, keys.pause, keys.limit, keys.fixed],
    memberPrefix: `${process.pid}:${randomBytes(6).toString('base64url')}`,
    memberSeq: 0,
    queue: [],
    turns: createShareTurns(),
    arrivals: 0,
    pumping: false,
    closed: false,
    sleepTimer: undefined,
    wakeSleeper: undefined,
    knownLimit: configuredLimit,
    lastCount: 0,
    pausedUntil: 0,
    pauseReason: null,
    rateLimitedCount: 0,
    announcedLimit: undefined,
    announcedAt: 0,
    degraded: false,
    degradedSince: 0,
    fallbackFrom: 0,
    fallbackGrants: [],
    fallbackAbort: undefined,
    probeTimer: undefined,
    probing: false,
  };
}

export function nextMember(state: RedisBudgetState): string {
  return `${state.memberPrefix}:${++state.memberSeq}`;
}
