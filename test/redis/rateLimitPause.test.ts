import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { createGiftCodeClient } from '../../src/game/giftCodeClient.ts';
import { EVENTS } from '../../src/log/events.ts';
import { createLocalRateBudget } from '../../src/pacing/localRateBudget.ts';
import type { RateBudget } from '../../src/pacing/rateBudget.ts';
import { reportAnswerToBudget } from '../../src/pacing/reportAnswerToBudget.ts';
import { createRedisRateBudget } from '../../src/pacing/redisRateBudget.ts';
import { describePause } from '../../src/status/appStatus.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { captureLogger, clientPool } from './helpers.ts';
import { awaited } from '../support/awaited.ts';

let server: TestRedisServer;
let sim: GameApiSimulator | undefined;
const logs = captureLogger();
const pool = clientPool(() => server.url, logs.log);
const closing: RateBudget[] = [];
let keySeq = 0;

beforeAll(async () => {
  server = await startRedisServer();
});

afterEach(async () => {
  for (const budget of closing.splice(0)) await budget.close();
  await sim?.close();
  sim = undefined;
});

afterAll(async () => {
  pool.closeAll();
  await server?.stop();
});

async function client(): Promise<Redis> {
  const redis = pool.create();
  await pool.ready(redis);
  return redis;
}

/** One "process": a shared budget on its own Redis client, with its local fallback. */
async function sharedBudget(key: string, limit: number, extra: { maxPauseMs?: number } = {}): Promise<RateBudget> {
  const fallback = createLocalRateBudget({ limit, windowMs: 1_000, ...extra });
  const budget = createRedisRateBudget({
    redis: await client(),
    log: logs.log,
    key,
    limit,
    windowMs: 1_000,
    fallback,
    ...extra,
  });
  closing.push(budget, fallback);
  return budget;
}

function localBudget(limit: number, extra: { maxPauseMs?: number } = {}): RateBudget {
  const budget = createLocalRateBudget({ limit, windowMs: 1_000, ...extra });
  closing.push(budget);
  return budget;
}

/** Calls the simulator through `budget` until `wanted` calls were accepted; returns the simulator's record. */
async function callUntil(budget: RateBudget, wanted: number, code: string) {
  const http = createGiftCodeClient({ apiBases: { wos: sim!.apiBase('wos') } });
  try {
    let accepted = 0;
    for (let n = 0; accepted < wanted; n++) {
      await budget.acquire();
      const answer = await http.redeem({ game: 'wos', fid: String(71_000_000 + n), kid: 1, code });
      reportAnswerToBudget(budget, answer, logs.log);
      if (answer.httpStatus !== 429) accepted += 1;
    }
  } finally {
    await http.close();
  }
  return sim!.calls.filter((call) => call.cdk === code);
}

describe('pauses the game asks for (issue 12, findings 3 and 4)', () => {
  it('a Retry-After of a day is cut to RATE_LIMIT_MAX_PAUSE_MS, logged, and shown; every process resumes after it', async () => {
    for (const kind of ['shared', 'local'] as const) {
      sim = await startGameApiSimulator({
        rateLimit: { limit: 2, windowMs: 1_000, retryAfter: 86_400 },
        playerSpacingMs: 0,
      });
      const key = `giftbot:budget:cap-${++keySeq}`;
      const a =
        kind === 'shared' ? await sharedBudget(key, 10, { maxPauseMs: 1_500 }) : localBudget(10, { maxPauseMs: 1_500 });
      const b = kind === 'shared' ? await sharedBudget(key, 10, { maxPauseMs: 1_500 }) : a;
      const capped = logs.events(EVENTS.apiPauseCapped).length;
      // Two calls pass, the third gets 429 with Retry-After: 86400.
      const calls = await callUntil(a, 2, `CAP${keySeq}`);
      expect(calls.filter((call) => call.httpStatus === 429)).toHaveLength(0);
      // At once (the budget itself would now wait for the refill: the second answer said Remaining: 0).
      const http = createGiftCodeClient({ apiBases: { wos: sim.apiBase('wos') } });
      const answer = await http.redeem({ game: 'wos', fid: '71999999', kid: 1, code: `CAP${keySeq}` });
      await http.close();
      expect(answer.httpStatus).toBe(429);
      expect(answer.rateLimit.retryAfterMs).toBe(86_400_000);
      reportAnswerToBudget(a, answer, logs.log);
      expect(logs.events(EVENTS.apiPauseCapped).length).toBe(capped + 1);
      // The pause is at most the cap, says why, and reads as a wait for people.
      const paused = await vi.waitFor(() => awaited(a.snapshot().pausedUntil > 0, 'the budget to pause'), {
        timeout: 2_000,
        interval: 10,
      });
      expect(paused).toBe(true);
      const snapshot = a.snapshot();
      expect(snapshot.pauseReason).toBe('retry-after');
      expect(snapshot.pausedUntil).toBeLessThanOrEqual(Date.now() + 1_500 + 100);
      expect(describePause(snapshot)).toMatch(/^Waiting \d+ s for the game's rate limit/);
      // Every process gets through once the capped pause is over (not after a day).
      let resumed = false;
      void b.acquire().then(() => (resumed = true));
      expect(await vi.waitFor(() => awaited(resumed, 'the waiter to resume'), { timeout: 10_000, interval: 10 })).toBe(
        true,
      );
    }
  }, 60_000);

  it('X-RateLimit-Remaining: 0 pauses every process until the game’s window refills', async () => {
    const key = `giftbot:budget:remaining-${++keySeq}`;
    const a = await sharedBudget(key, 10);
    const b = await sharedBudget(key, 10);
    await a.acquire();
    const opened = performance.now();
    a.observe({ httpStatus: 200, limit: 10, remaining: 0 });
    await b.acquire();
    // The window opened at a's grant and refills a window later: b waited for it.
    expect(performance.now() - opened).toBeGreaterThanOrEqual(950);
    expect(a.snapshot().rateLimitedCount).toBe(0);
  }, 30_000);

  it('a game whose 429 has no Retry-After: the run finishes with exactly one 429 per window overrun', async () => {
    for (const kind of ['shared', 'local'] as const) {
      // The game allows 5 per window and says nothing but 429; the budget believes 10.
      sim = await startGameApiSimulator({
        rateLimit: { limit: 5, windowMs: 1_000, retryAfter: 'omit', headers: false },
        playerSpacingMs: 0,
      });
      const budget = kind === 'shared' ? await sharedBudget(`giftbot:budget:omit-${++keySeq}`, 10) : localBudget(10);
      const calls = await callUntil(budget, 20, `OMIT${++keySeq}`);
      const refused = calls.filter((call) => call.httpStatus === 429);
      console.info(`${kind}: ${calls.length} calls, ${refused.length} answered 429`);
      // 20 accepted at 5 per window: 4 windows, the first 3 overrun once each, the last one ends the run.
      expect(refused).toHaveLength(3);
      expect(calls).toHaveLength(23);
      expect(budget.snapshot().rateLimitedCount).toBe(3);
      await sim.close();
      sim = undefined;
    }
  }, 60_000);

  it('a step of the wall clock neither stretches nor cuts a pause the game asked for (shared budget)', async () => {
    const a = await sharedBudget(`giftbot:budget:clock-${++keySeq}`, 10);
    a.observe({ httpStatus: 429, retryAfterMs: 2_000 });
    const pausedFor = () => a.snapshot().pausedUntil - Date.now();
    await vi.waitFor(() => awaited(pausedFor() > 0, 'the pause'), { timeout: 2_000, interval: 10 });
    // The host's clock goes back 30 s (an NTP step): the pause still ends about 2 s after it began, not 32 s.
    const realNow = Date.now.bind(Date);
    const stepped = vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 30_000);
    try {
      expect(pausedFor()).toBeGreaterThan(0);
      expect(pausedFor()).toBeLessThanOrEqual(2_000);
    } finally {
      stepped.mockRestore();
    }
  }, 30_000);
});
