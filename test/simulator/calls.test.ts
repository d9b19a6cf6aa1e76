import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { describe, expect, vi } from 'vitest';
import { gameInfo } from '../../src/game/games.ts';
import { signParams } from '../../src/game/sign.ts';
import { startGameApiSimulator, type SimulatorCall } from '../../src/dev/simulator/gameApiSimulator.ts';
import { it } from '../support/fixtures.ts';
import { BODY, get, post, redeem } from './helpers.ts';

describe('call record, onCall and latency', () => {
  it('records every request in arrival order with what was asked and answered', async ({ startSim }) => {
    const seen: SimulatorCall[] = [];
    const sim = await startSim({
      rateLimit: { limit: 3, windowMs: 60_000 },
      playerSpacingMs: 0,
      onCall: (c) => seen.push(c),
    });
    sim.addPlayer('wos', { fid: '5001', kid: 12 });
    sim.addCode('wos', 'REC');
    sim.injectFault({ kind: 'http-504', fid: '5001' });

    const before = Date.now();
    const monoBefore = performance.now();
    await redeem(sim, 'wos', { fid: '5001', kid: 12, cdk: 'REC' }); // fault
    await redeem(sim, 'wos', { fid: '5001', kid: 12, cdk: 'REC' }); // success
    await redeem(sim, 'wos', { fid: '5001', kid: 13, cdk: 'REC' }); // wrong state
    await redeem(sim, 'wos', { fid: '5001', kid: 12, cdk: 'REC' }); // throttled
    await get(`${sim.url}/elsewhere`);
    const after = Date.now();

    const calls = sim.calls;
    expect(calls).toHaveLength(5);
    expect(calls[0]).toMatchObject({
      game: 'wos',
      method: 'POST',
      path: '/wos/api/gift_code',
      ip: '127.0.0.1',
      fid: '5001',
      kid: '12',
      cdk: 'REC',
      httpStatus: 504,
      counted: true,
      fault: 'http-504',
    });
    expect(calls[0]?.errCode).toBeUndefined();
    expect(calls[1]).toMatchObject({ httpStatus: 200, errCode: 20000, msg: 'SUCCESS', counted: true });
    expect(calls[1]?.fault).toBeUndefined();
    expect(calls[2]).toMatchObject({
      kid: '13',
      httpStatus: 200,
      errCode: 40020,
      msg: 'USER INFO ERROR.',
      counted: true,
    });
    expect(calls[3]).toMatchObject({ httpStatus: 429, msg: 'Too Many Attempts.', counted: false });
    expect(calls[4]).toMatchObject({ game: null, method: 'GET', path: '/elsewhere', httpStatus: 404, counted: false });

    for (const [i, c] of calls.entries()) {
      expect(c.at).toBeGreaterThanOrEqual(before);
      expect(c.at).toBeLessThanOrEqual(after);
      expect(c.atMono).toBeGreaterThanOrEqual(monoBefore);
      if (i > 0) expect(c.atMono).toBeGreaterThanOrEqual(calls[i - 1]!.atMono);
    }
    // onCall sees the same records once each.
    expect(seen).toEqual([...calls]);

    sim.resetCalls();
    expect(sim.calls).toHaveLength(0);
    expect(sim.successes('wos', 'REC')).toEqual(['5001']);
  });

  it('adds latency to every API answer, fixed or drawn from a range', async ({ startSim }) => {
    const sim = await startSim({ rateLimit: false, playerSpacingMs: 0, latencyMs: 300 });
    sim.addPlayer('wos', { fid: '5002', kid: 1 });
    let t0 = performance.now();
    expect((await redeem(sim, 'wos', { fid: '5002', kid: 1, cdk: 'NONE' })).text).toBe(BODY.notFound);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    await sim.close();

    const ranged = await startSim({ rateLimit: false, playerSpacingMs: 0, latencyMs: { min: 200, max: 400 } });
    t0 = performance.now();
    expect((await get(`${ranged.url}/nowhere`)).status).toBe(404);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('gives each simulator its own port, and closes idempotently', async ({ startSim }) => {
    const sim = await startSim();
    const other = await startGameApiSimulator();
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(other.url).not.toBe(sim.url);
    expect(sim.apiBase('kingshot')).toBe(`${sim.url}/kingshot/api/`);
    await other.close();
    await other.close();
    await expect(get(`${other.url}/x`, {}, { timeoutMs: 2000 })).rejects.toThrow();
  });
});

describe('src/dev/simulator/run.ts', () => {
  it('starts a seeded simulator, prints its URLs and logs each call', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(
      `${root}node_modules/.bin/node`,
      ['src/dev/simulator/run.ts', '--port', '0', '--players', '3', '--rate', '5/1s'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The pattern's match once the output has it; the output so far when it never comes (or run.ts exited).
    const printed = (pattern: RegExp): Promise<RegExpMatchArray> =>
      vi.waitFor(
        () => {
          const m = pattern.exec(out);
          if (m) return m;
          throw new Error(
            `run.ts output never matched ${pattern}${child.exitCode !== null ? ` (it exited with ${child.exitCode})` : ''}:\n${out}`,
          );
        },
        { timeout: 20_000, interval: 50 },
      );
    try {
      const base = (await printed(/wos\s+API base (http:\/\/127\.0\.0\.1:\d+\/wos\/api\/)/))[1]!;
      // The banner may arrive in several chunks: wait for its roster line too.
      await printed(/fid 10000001\.\.10000003, state 245/);
      const fields = { fid: '10000003', cdk: 'WELCOME2026', kid: '245', time: String(Math.floor(Date.now() / 1000)) };
      const body = new URLSearchParams({ ...fields, sign: signParams(fields, gameInfo('wos').salt) }).toString();
      const r = await post(`${base}gift_code`, body);
      expect(r.text).toBe(BODY.success);
      expect(r.headers['x-ratelimit-limit']).toBe('5');
      await printed(/POST \/wos\/api\/gift_code fid=10000003 kid=245 cdk=WELCOME2026 -> 200 20000 SUCCESS/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
