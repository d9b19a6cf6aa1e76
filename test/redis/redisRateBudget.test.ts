import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import type { BudgetFeedback, RateBudget } from '../../src/pacing/rateBudget.ts';
import { PRIORITY } from '../../src/pacing/rateBudget.ts';
import { budgetKeys, createRedisRateBudget, type RedisRateBudgetOptions } from '../../src/pacing/redisRateBudget.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { awaited } from '../support/awaited.ts';
import { captureLogger, clientPool, keysWithTtl, sleep } from './helpers.ts';

/** A trivial in-memory budget standing in for this process's local share: grants at once, counts calls. */
function countingFallback(): RateBudget & { acquired: number; observed: BudgetFeedback[] } {
  const state = { acquired: 0, observed: [] as BudgetFeedback[] };
  return {
    get acquired() {
      return state.acquired;
    },
    observed: state.observed,
    async acquire(options) {
      if (options?.signal?.aborted) throw options.signal.reason;
      state.acquired += 1;
    },
    observe(feedback) {
      state.observed.push(feedback);
    },
    snapshot() {
      return {
        limit: 1,
        windowMs: 1000,
        available: 1,
        waiting: 0,
        pausedUntil: 0,
        pauseReason: null,
        maxPauseMs: 300_000,
        rateLimitedCount: 0,
        shared: false,
      };
    },
    async close() {},
  };
}

let server: TestRedisServer;
const logs = captureLogger();
const pool = clientPool(() => server.url, logs.log);
let admin: Redis;
const budgets: RateBudget[] = [];
let keySeq = 0;

function budgetOn(redis: Redis, extra: Partial<RedisRateBudgetOptions> & { key: string }): RateBudget {
  const budget = createRedisRateBudget({
    redis,
    log: logs.log,
    limit: 10,
    windowMs: 1000,
    fallback: countingFallback(),
    ...extra,
  });
  budgets.push(budget);
  return budget;
}

const freshKey = (): string => `giftbot:budget:test-host-${++keySeq}`;

/** The largest number of timestamps inside any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = pool.create();
  await pool.ready(admin);
});

afterEach(async () => {
  await Promise.allSettled(budgets.splice(0).map((b) => b.close()));
  server.resume();
  if (!server.running) await server.restart();
  await pool.ready(admin);
  // Invariant 4: every budget key expires by itself.
  for (const [key, ttl] of await keysWithTtl(admin)) {
    expect(ttl, `key ${key} has no TTL`).not.toBe(-1);
  }
});

afterAll(async () => {
  pool.closeAll();
  await server?.stop();
});

describe('redis rate budget', () => {
  it('keeps 4 processes sharing 10 per 1000 ms under the limit in every sliding window', async () => {
    const key = freshKey();
    const clients = Array.from({ length: 4 }, () => pool.create());
    await Promise.all(clients.map((c) => pool.ready(c)));
    const shared = clients.map((redis) => budgetOn(redis, { key }));
    const grants: number[] = [];
    const start = performance.now();
    await Promise.all(
      shared.flatMap((budget) =>
        Array.from({ length: 15 }, () => budget.acquire().then(() => grants.push(performance.now()))),
      ),
    );
    const elapsed = performance.now() - start;
    expect(grants).toHaveLength(60);
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(10);
    // 60 grants at 10 per window need at least 5 full windows after the first burst, and should not need many more.
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(12_000);
    // The server's own record agrees: never more than the limit inside the window.
    expect(await admin.zcard(budgetKeys(key).window)).toBeLessThanOrEqual(10);
    for (const budget of shared) expect(budget.snapshot().shared).toBe(true);
    for (const c of clients) c.disconnect(false);
  });

  it('a Retry-After seen by one process pauses the others', async () => {
    const key = freshKey();
    const [clientA, clientB] = [pool.create(), pool.create()];
    await Promise.all([pool.ready(clientA), pool.ready(clientB)]);
    const a = budgetOn(clientA, { key });
    const b = budgetOn(clientB, { key });
    await a.acquire();
    await b.acquire();
    a.observe({ httpStatus: 429, retryAfterMs: 800 });
    const observedAt = performance.now();
    await sleep(50); // let the shared pause land (observe() writes it in the background)
    await b.acquire();
    const waited = performance.now() - observedAt;
    expect(waited).toBeGreaterThanOrEqual(750);
    expect(waited).toBeLessThan(800 + 1500);
    const snapshot = a.snapshot();
    expect(snapshot.rateLimitedCount).toBe(1);
    expect(logs.events(EVENTS.apiRateLimited).length).toBeGreaterThanOrEqual(1);
    expect(await admin.pttl(budgetKeys(key).pause)).not.toBe(-1);
  });

  it('serves waiters by priority, then in arrival order', async () => {
    const key = freshKey();
    const client = pool.create();
    await pool.ready(client);
    const budget = budgetOn(client, { key, limit: 1, windowMs: 250 });
    await budget.acquire();
    const order: string[] = [];
    const wait = (name: string, priority: number): Promise<void> =>
      budget.acquire({ priority }).then(() => {
        order.push(name);
      });
    const all = [
      wait('discovery-1', PRIORITY.discovery),
      wait('discovery-2', PRIORITY.discovery),
      wait('redeem-1', PRIORITY.redeem),
      wait('discovery-3', PRIORITY.discovery),
      wait('redeem-2', PRIORITY.redeem),
      wait('validation', PRIORITY.validation),
    ];
    expect(budget.snapshot().waiting).toBe(6);
    await Promise.all(all);
    expect(order).toEqual(['redeem-1', 'redeem-2', 'validation', 'discovery-1', 'discovery-2', 'discovery-3']);
  });

  it('alliances take turns: one that starts waiting later is not queued behind another’s whole set of workers', async () => {
    const key = freshKey();
    const client = pool.create();
    await pool.ready(client);
    const budget = budgetOn(client, { key, limit: 1, windowMs: 200 });
    await budget.acquire();
    const order: string[] = [];
    const wait = (name: string, share: string): Promise<void> =>
      budget.acquire({ priority: PRIORITY.redeem, share }).then(() => {
        order.push(name);
      });
    const all = [
      wait('a1', 'guild:a'),
      wait('a2', 'guild:a'),
      wait('a3', 'guild:a'),
      wait('b1', 'guild:b'),
      wait('b2', 'guild:b'),
    ];
    await Promise.all(all);
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('rejects with the signal’s reason when aborted, before or while waiting', async () => {
    const key = freshKey();
    const client = pool.create();
    await pool.ready(client);
    const budget = budgetOn(client, { key, limit: 1, windowMs: 5000 });
    const already = new AbortController();
    already.abort(new Error('already'));
    await expect(budget.acquire({ signal: already.signal })).rejects.toThrow('already');
    await budget.acquire();
    const controller = new AbortController();
    const pending = budget.acquire({ signal: controller.signal });
    await sleep(50);
    expect(budget.snapshot().waiting).toBe(1);
    controller.abort(new Error('run aborted'));
    await expect(pending).rejects.toThrow('run aborted');
    expect(budget.snapshot().waiting).toBe(0);
    // close() rejects whoever is still waiting.
    const late = budget.acquire();
    await budget.close();
    await expect(late).rejects.toThrow('closed');
  });

  it('a lower limit announced by the server is shared by every process', async () => {
    const key = freshKey();
    const [clientA, clientB] = [pool.create(), pool.create()];
    await Promise.all([pool.ready(clientA), pool.ready(clientB)]);
    const a = budgetOn(clientA, { key });
    const b = budgetOn(clientB, { key });
    a.observe({ httpStatus: 200, limit: 2, remaining: 1 });
    await sleep(50);
    const grants: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => b.acquire().then(() => grants.push(performance.now()))));
    expect(maxInWindow(grants, 1000)).toBeLessThanOrEqual(2);
    expect(b.snapshot().limit).toBe(2);
    expect(a.snapshot().limit).toBe(2);
    expect(logs.events(EVENTS.apiBudgetAdjusted).some((l) => l.limit === 2)).toBe(true);
  });

  it('falls back to the local budget while Redis is down or hung, logs once, and comes back', async () => {
    for (const outage of ['kill', 'pause'] as const) {
      const key = freshKey();
      const client = pool.create(1000);
      await pool.ready(client);
      const fallback = countingFallback();
      const budget = budgetOn(client, { key, fallback, probeIntervalMs: 100 });
      await budget.acquire();
      expect(fallback.acquired).toBe(0);
      const warnsBefore = logs.events(EVENTS.budgetFallback).filter((l) => l.shared === false).length;

      if (outage === 'kill') await server.kill();
      else server.pause();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 5 }, () => budget.acquire()));
      expect(performance.now() - t0).toBeLessThan(1000 + 1500); // at most one command timeout
      for (let i = 0; i < 5; i++) await budget.acquire();
      budget.observe({ httpStatus: 429, retryAfterMs: 100 }); // must not throw either
      expect(fallback.acquired).toBe(10);
      expect(fallback.observed.some((f) => f.retryAfterMs === 100)).toBe(true);
      expect(budget.snapshot().shared).toBe(false);
      const warns = logs.events(EVENTS.budgetFallback).filter((l) => l.shared === false);
      expect(warns.length - warnsBefore).toBe(1);
      expect(warns.at(-1)!.level).toBe('warn');

      if (outage === 'kill') await server.restart();
      else server.resume();
      await vi.waitFor(() => awaited(budget.snapshot().shared, 'the budget to be shared again'), {
        timeout: 5000,
        interval: 10,
      });
      await budget.acquire();
      expect(fallback.acquired).toBe(10);
      client.disconnect(false);
    }
  });
});
