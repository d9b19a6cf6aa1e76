import { Agent } from 'undici';
import { describe, expect } from 'vitest';
import { FixedWindowBudget } from '../../src/dev/simulator/fixedWindowBudget.ts';
import type { GameApiSimulator, SimulatorOptions } from '../../src/dev/simulator/gameApiSimulator.ts';
import { it, type Starter } from '../support/fixtures.ts';
import { BODY, redeem, sleep, type Reply } from './helpers.ts';

describe('FixedWindowBudget (synthetic clock)', () => {
  it('opens a window at the first hit, refuses without counting, and starts afresh after the window', () => {
    const budget = new FixedWindowBudget(3, 1000);
    expect(budget.hit('a', 100)).toEqual({ allowed: true, limit: 3, remaining: 2, resetInMs: 1000 });
    expect(budget.hit('a', 400).remaining).toBe(1);
    expect(budget.hit('a', 500).remaining).toBe(0);
    // Refusals do not move the window: reset is still measured from the first hit at 100.
    expect(budget.hit('a', 600)).toEqual({ allowed: false, limit: 3, remaining: 0, resetInMs: 500 });
    expect(budget.hit('a', 1099)).toMatchObject({ allowed: false, resetInMs: 1 });
    // Another key has its own window.
    expect(budget.hit('b', 1099)).toMatchObject({ allowed: true, remaining: 2 });
    // At 1100 the window of `a` is over; the new one starts at this hit.
    expect(budget.hit('a', 1100)).toEqual({ allowed: true, limit: 3, remaining: 2, resetInMs: 1000 });
  });

  it('rejects nonsense limits', () => {
    expect(() => new FixedWindowBudget(0, 1000)).toThrow(RangeError);
    expect(() => new FixedWindowBudget(5, 0)).toThrow(RangeError);
  });
});

describe('per-IP, per-game rate limit over HTTP', () => {
  async function start(startSim: Starter<SimulatorOptions, GameApiSimulator>): Promise<GameApiSimulator> {
    const sim = await startSim({ rateLimit: { limit: 5, windowMs: 1000 }, playerSpacingMs: 0 });
    sim.addPlayer('wos', { fid: '2001', kid: 9 });
    sim.addPlayer('kingshot', { fid: '2001', kid: 9 });
    return sim;
  }

  // Probes with an impossible code: they cost budget but redeem nothing.
  const probe = (s: GameApiSimulator, game: 'wos' | 'kingshot' = 'wos', dispatcher?: Agent): Promise<Reply> =>
    redeem(s, game, { fid: '2001', kid: 9, cdk: 'PROBE000000000X' }, dispatcher ? { dispatcher } : {});

  it('allows 5 per window with decreasing headers, answers the 6th with 429 + Retry-After, then resets', async ({
    startSim,
  }) => {
    const s = await start(startSim);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await probe(s);
      expect(r.status).toBe(200);
      expect(r.text).toBe(BODY.notFound);
      expect(r.headers['x-ratelimit-limit']).toBe('5');
      remaining.push(String(r.headers['x-ratelimit-remaining']));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const refused = await probe(s);
    expect(refused.status).toBe(429);
    expect(refused.text).toBe(BODY.tooManyAttempts);
    expect(refused.headers['content-type']).toBe('application/json');
    expect(refused.headers['x-ratelimit-limit']).toBe('5');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.headers['retry-after']).toBe('1'); // ceil of < 1000 ms, at least 1
    const reset = Number(refused.headers['x-ratelimit-reset']);
    const nowSec = Date.now() / 1000;
    expect(reset).toBeGreaterThanOrEqual(Math.floor(nowSec));
    expect(reset).toBeLessThanOrEqual(Math.ceil(nowSec) + 2);

    // Refused calls are recorded but not counted.
    const calls = s.calls;
    expect(calls.map((c) => c.counted)).toEqual([true, true, true, true, true, false]);
    expect(calls[5]).toMatchObject({ httpStatus: 429, msg: 'Too Many Attempts.', counted: false });
    expect(calls[5]?.errCode).toBeUndefined();

    // Honour Retry-After; the next window gives the full budget again.
    await sleep(Number(refused.headers['retry-after']) * 1000 + 100);
    const again = await probe(s);
    expect(again.status).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('keeps a separate budget per game', async ({ startSim }) => {
    const s = await start(startSim);
    for (let i = 0; i < 5; i++) await probe(s, 'wos');
    expect((await probe(s, 'wos')).status).toBe(429);
    const other = await probe(s, 'kingshot');
    expect(other.status).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('keeps a separate budget per client IP', async ({ startSim }) => {
    const s = await start(startSim);
    for (let i = 0; i < 5; i++) await probe(s);
    expect((await probe(s)).status).toBe(429);
    // Linux routes all of 127/8 to loopback, so a client bound to 127.0.0.2 is another IP to the server.
    const agent = new Agent({ localAddress: '127.0.0.2' });
    try {
      const other = await probe(s, 'wos', agent);
      expect(other.status).toBe(200);
      expect(other.headers['x-ratelimit-remaining']).toBe('4');
      expect(s.calls.at(-1)?.ip).toBe('127.0.0.2');
    } finally {
      await agent.close();
    }
  });

  it('counts faults against the budget and leaves 429s unfaulted', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'http-503', count: 2 });
    const first = await probe(s);
    expect(first.status).toBe(503);
    expect(first.headers['x-ratelimit-remaining']).toBe('4');
    expect((await probe(s)).headers['x-ratelimit-remaining']).toBe('3');
    for (let i = 0; i < 3; i++) await probe(s);
    s.injectFault({ kind: 'http-502' });
    expect((await probe(s)).status).toBe(429); // throttle comes first: the fault is not used up
    await sleep(1100);
    expect((await probe(s)).status).toBe(502);
  });

  it('can be changed or switched off at run time (and off by option)', async ({ startSim }) => {
    const s = await start(startSim);
    s.setRateLimit({ limit: 1, windowMs: 60_000 });
    expect((await probe(s)).headers['x-ratelimit-limit']).toBe('1');
    const refused = await probe(s);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    s.setRateLimit(null);
    for (let i = 0; i < 8; i++) {
      const r = await probe(s);
      expect(r.status).toBe(200);
      expect(r.headers['x-ratelimit-limit']).toBeUndefined();
    }
    expect(s.calls.slice(2).every((c) => !c.counted)).toBe(true);
    await s.close();

    const sim = await startSim({ rateLimit: null, playerSpacingMs: 0 });
    sim.addPlayer('wos', { fid: '2001', kid: 9 });
    for (let i = 0; i < 35; i++) expect((await probe(sim)).status).toBe(200);
  });

  it('defaults to 30 per 60 s', async ({ startSim }) => {
    const sim = await startSim({ playerSpacingMs: 0 });
    sim.addPlayer('wos', { fid: '2001', kid: 9 });
    const first = await probe(sim);
    expect(first.headers['x-ratelimit-limit']).toBe('30');
    expect(first.headers['x-ratelimit-remaining']).toBe('29');
  });

  it('can answer like the real game (429 without Retry-After or reset, no limit headers) or ask for a fixed wait', async ({
    startSim,
  }) => {
    let sim = await startSim({
      rateLimit: { limit: 1, windowMs: 1000, retryAfter: 'omit', headers: false },
      playerSpacingMs: 0,
    });
    sim.addPlayer('wos', { fid: '2001', kid: 9 });
    expect((await probe(sim)).headers['x-ratelimit-limit']).toBeUndefined();
    const bare = await probe(sim);
    expect(bare.status).toBe(429);
    expect(bare.headers['retry-after']).toBeUndefined();
    expect(bare.headers['x-ratelimit-reset']).toBeUndefined();
    sim = await startSim({ rateLimit: { limit: 1, windowMs: 1000, retryAfter: 86_400 }, playerSpacingMs: 0 });
    sim.addPlayer('wos', { fid: '2001', kid: 9 });
    await probe(sim);
    const day = await probe(sim);
    expect(day.status).toBe(429);
    expect(day.headers['retry-after']).toBe('86400');
  });
});
