import { performance } from 'node:perf_hooks';
import { describe, expect } from 'vitest';
import type { GameApiSimulator, SimulatorOptions } from '../../src/dev/simulator/gameApiSimulator.ts';
import { it, type Starter } from '../support/fixtures.ts';
import { BODY, redeem, type Reply } from './helpers.ts';

describe('injected faults', () => {
  async function start(
    startSim: Starter<SimulatorOptions, GameApiSimulator>,
    options: SimulatorOptions = {},
  ): Promise<GameApiSimulator> {
    const s = await startSim({ rateLimit: false, playerSpacingMs: 0, ...options });
    s.addPlayers('wos', [
      { fid: '4001', kid: 1 },
      { fid: '4002', kid: 1 },
    ]);
    s.addCode('wos', 'GIFT');
    return s;
  }

  const call = (s: GameApiSimulator, fid = '4001', timeoutMs?: number): Promise<Reply> =>
    redeem(s, 'wos', { fid, kid: 1, cdk: 'GIFT' }, timeoutMs === undefined ? {} : { timeoutMs });

  it('timeout-retry: 200 TIMEOUT RETRY., nothing redeemed, and only `count` calls are hit', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'timeout-retry', count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await call(s);
      expect(r.status).toBe(200);
      expect(r.text).toBe(BODY.timeoutRetry);
    }
    expect(s.successes('wos', 'GIFT')).toEqual([]);
    expect((await call(s)).text).toBe(BODY.success);
    expect(s.calls.map((c) => c.fault)).toEqual(['timeout-retry', 'timeout-retry', undefined]);
    expect(s.calls[0]).toMatchObject({ httpStatus: 200, errCode: 40004, msg: 'TIMEOUT RETRY.' });
  });

  it('http-502/503/504: that status with an nginx HTML page, nothing redeemed', async ({ startSim }) => {
    const s = await start(startSim);
    const titles = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' } as const;
    for (const status of [502, 503, 504] as const) {
      s.injectFault({ kind: `http-${status}` });
      const r = await call(s);
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toBe('text/html');
      expect(r.text).toContain(`<title>${status} ${titles[status]}</title>`);
      expect(r.text).toContain('nginx');
      expect(r.json).toBeUndefined();
    }
    expect(s.successes('wos', 'GIFT')).toEqual([]);
    expect(s.calls.map((c) => c.httpStatus)).toEqual([502, 503, 504]);
  });

  it('garbage, html and empty: HTTP 200 bodies that are not JSON', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'garbage' });
    s.injectFault({ kind: 'html' });
    s.injectFault({ kind: 'empty' });
    const garbage = await call(s);
    expect(garbage.status).toBe(200);
    expect(garbage.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(garbage.text)).toThrow();
    const html = await call(s);
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    const empty = await call(s);
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('');
    expect(s.successes('wos', 'GIFT')).toEqual([]);
    expect(s.calls.map((c) => c.fault)).toEqual(['garbage', 'html', 'empty']);
    expect((await call(s)).text).toBe(BODY.success);
  });

  it('slow: answers normally after delayMs', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'slow', delayMs: 500 });
    const t0 = performance.now();
    const r = await call(s);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
    expect(r.text).toBe(BODY.success);
    expect(s.calls[0]?.fault).toBe('slow');
  });

  it('slow: the redemption happens even when the client gives up first', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'slow', delayMs: 5000 });
    await expect(call(s, '4001', 300)).rejects.toThrow();
    expect(s.successes('wos', 'GIFT')).toEqual(['4001']);
    expect((await call(s)).text).toBe(BODY.received);
  });

  it("hang: never answers, the client's own timeout fires, and close() still returns", async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'hang', count: 2 });
    await expect(call(s, '4001', 400)).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(s.calls[0]).toMatchObject({ fault: 'hang', httpStatus: 0, counted: false });
    expect(s.successes('wos', 'GIFT')).toEqual([]);

    // A request still hanging when the simulator closes is cut off, and close() does not wait for it.
    const pending = call(s, '4002', 30_000);
    while (s.calls.length < 2) await new Promise((r) => setTimeout(r, 10));
    const closed = await Promise.race([
      s.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('close() hung'), 5000)),
    ]);
    expect(closed).toBe('closed');
    await expect(pending).rejects.toThrow();
  });

  it('reset: the socket is destroyed', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'reset' });
    await expect(call(s)).rejects.toThrow();
    expect(s.calls[0]).toMatchObject({ fault: 'reset', httpStatus: 0 });
    expect(s.successes('wos', 'GIFT')).toEqual([]);
    expect((await call(s)).text).toBe(BODY.success);
  });

  it('fid and game filters: only matching calls are hit', async ({ startSim }) => {
    const s = await start(startSim);
    s.addPlayer('kingshot', { fid: '4001', kid: 1 });
    s.addCode('kingshot', 'GIFT');
    s.injectFault({ kind: 'timeout-retry', fid: '4002', game: 'wos' });
    expect((await call(s, '4001')).text).toBe(BODY.success);
    expect((await redeem(s, 'kingshot', { fid: '4001', kid: 1, cdk: 'GIFT' })).text).toBe(BODY.success);
    expect((await call(s, '4002')).text).toBe(BODY.timeoutRetry);
    expect((await call(s, '4002')).text).toBe(BODY.success);
  });

  it('probability: a seeded PRNG hits some calls, the same ones on every run', async ({ startSim }) => {
    const pattern = async (s: GameApiSimulator): Promise<boolean[]> => {
      s.injectFault({ kind: 'timeout-retry', probability: 0.5, seed: 42 });
      const hits: boolean[] = [];
      for (let i = 0; i < 30; i++) {
        // An unknown code never redeems, so every call that is not hit gets the same CDK NOT FOUND.
        const r = await redeem(s, 'wos', { fid: '4001', kid: 1, cdk: 'PROBE' });
        hits.push(r.text === BODY.timeoutRetry);
      }
      return hits;
    };
    const first = await pattern(await start(startSim));
    const other = await start(startSim);
    try {
      const second = await pattern(other);
      expect(second).toEqual(first);
    } finally {
      await other.close();
    }
    const hitCount = first.filter(Boolean).length;
    expect(hitCount).toBeGreaterThan(3);
    expect(hitCount).toBeLessThan(27);
  });

  it('clearFaults removes pending faults; bad specs are refused', async ({ startSim }) => {
    const s = await start(startSim);
    s.injectFault({ kind: 'http-502', count: 5 });
    s.clearFaults();
    expect((await call(s)).text).toBe(BODY.success);
    expect(() => s.injectFault({ kind: 'explode' as 'hang' })).toThrow(RangeError);
    expect(() => s.injectFault({ kind: 'slow', probability: 2 })).toThrow(RangeError);
  });
});
