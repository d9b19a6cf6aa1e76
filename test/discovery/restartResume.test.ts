import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDiscovery, type Discovery } from '../../src/codes/createDiscovery.ts';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { awaited } from '../support/awaited.ts';
import { feedSource, redeemCalls, seedGuild, WAIT } from './helpers.ts';

const TEST_FID = '49999999';
// 10 calls a second: a fan-out to 2 × 20 members takes about 4 s, time enough to stop it in the middle.
const ENV = {
  RATE_LIMIT_PER_MINUTE: '10',
  RATE_LIMIT_WINDOW_MS: '1000',
  FEED_POLL_MIN_MS: '500',
  FEED_POLL_MAX_MS: '500',
  TEST_PLAYER_WOS: `${TEST_FID}:245`,
};
const FIXTURE = fileURLToPath(new URL('./fixtures/discoveryProcess.ts', import.meta.url));

let h: CoreHarness | undefined;
let discovery: Discovery | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await discovery?.stop();
  await h?.close();
  child = undefined;
  discovery = undefined;
  h = undefined;
});

async function twoAlliances(harness: CoreHarness) {
  harness.sim.addPlayer('wos', { fid: TEST_FID, kid: 245 });
  const a = await seedGuild(harness, { id: '930000000000000001', members: 20, firstFid: 51_000_001 });
  const b = await seedGuild(harness, { id: '930000000000000002', members: 20, firstFid: 52_000_001 });
  return [TEST_FID, ...a, ...b];
}

describe('restart in the middle of a fan-out', () => {
  it('a graceful stop: the next start finishes the rest, nobody is called twice, and a finished code is never taken up again', async () => {
    h = await startCoreHarness({ env: ENV });
    const everyone = await twoAlliances(h);
    h.sim.addCode('wos', 'RESUME01');
    h.sim.setFeed('feed', { format: 'community', codes: ['RESUME01'] });
    discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'feed', 'wos')] });
    discovery.start();
    await vi.waitFor(() => awaited(h!.sim.successes('wos', 'RESUME01').length >= 12, 'a third of the fan-out'), WAIT);
    await discovery.stop();
    await h.app.close();
    const before = h.sim.successes('wos', 'RESUME01').length;
    expect(before).toBeLessThan(everyone.length);
    expect((await h.restart().store.codes.get('wos', 'RESUME01'))?.fanoutDoneAt).toBeNull();

    discovery = createDiscovery(h.app, { feeds: [] });
    const report = await discovery.resumeOnStartup();
    expect(report.codes).toEqual([{ game: 'wos', code: 'RESUME01' }]);
    const { fanouts } = await report.done;
    expect(fanouts[0]).toMatchObject({ outcome: 'valid', finished: true });
    expect(fanouts[0]!.runs.map((r) => r.trigger)).toEqual(['resume', 'resume']);

    expect(h.sim.successes('wos', 'RESUME01').sort()).toEqual([...everyone].sort());
    const perFid = callsPerFid(h.sim, 'RESUME01');
    expect([...perFid.values()].every((n) => n === 1)).toBe(true);
    expect(await h.app.store.runs.listRunning()).toEqual([]);
    expect((await h.app.store.codes.get('wos', 'RESUME01'))?.fanoutDoneAt).not.toBeNull();
    // The validation is not repeated: the code was known valid.
    expect(redeemCalls(h, 'RESUME01').filter((c) => c.fid === TEST_FID)).toHaveLength(1);

    // Another restart: nothing left to do, no call, nothing announced.
    await discovery.stop();
    await h.app.close();
    discovery = createDiscovery(h.restart(), { feeds: [] });
    const calls = h.sim.calls.length;
    const again = await discovery.resumeOnStartup();
    expect(again.codes).toEqual([]);
    expect(again.runs).toEqual([]);
    await again.done;
    expect(h.sim.calls.length).toBe(calls);
    expect(h.logs.events(EVENTS.codeResumed).at(-1)).toMatchObject({ codes: [], runs: [] });
  });

  it('a crash (SIGKILL): runs left "running" are marked interrupted and finished by the next start without repeats', async () => {
    h = await startCoreHarness({ env: ENV });
    const everyone = await twoAlliances(h);
    h.sim.addCode('wos', 'CRASH001');
    h.sim.setFeed('feed', { format: 'list', codes: ['CRASH001'] });
    const stderr: string[] = [];
    child = spawn(process.execPath, [FIXTURE], {
      env: {
        ...process.env,
        ...h.env,
        LOG_LEVEL: 'warn',
        CODE_FEEDS: JSON.stringify([{ name: 'feed', url: h.sim.feedUrl('feed'), game: 'wos', format: 'list' }]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    try {
      await vi.waitFor(
        () => awaited(h!.sim.successes('wos', 'CRASH001').length >= 12, 'a third of the fan-out in the bot process'),
        WAIT,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the process said: ${stderr.join('')}`, { cause: error });
    }
    child.kill('SIGKILL');
    await exited;
    child = undefined;

    const store = h.app.store;
    const stale = await store.runs.listRunning();
    expect(stale.map((r) => r.trigger).sort()).toEqual(['auto', 'auto']);
    const finalAtCrash = new Set(
      (await store.ledger.listForCode('wos', 'CRASH001'))
        .filter((row) => ['success', 'already', 'failed'].includes(row.status))
        .map((row) => row.fid),
    );
    const callsAtCrash = callsPerFid(h.sim, 'CRASH001');

    await h.app.close();
    // The bot's start-up order: feeds first, then the resume. Here the feed's poll takes the code up first (it is
    // known and its fan-out unfinished); the resume then joins that fan-out instead of starting another.
    discovery = createDiscovery(h.restart(), { feeds: [feedSource(h, 'feed', 'wos', { format: 'list' })] });
    discovery.start();
    await vi.waitFor(
      () => awaited(discovery!.intake.inProgress().length > 0, 'the feed to take the code up again'),
      WAIT,
    );
    const report = await discovery.resumeOnStartup();
    expect(report.codes).toEqual([{ game: 'wos', code: 'CRASH001' }]);
    await report.done;
    expect(h.logs.events(EVENTS.codeFanout).filter((l) => l.phase === 'started' && l.code === 'CRASH001')).toHaveLength(
      1,
    );

    expect(h.sim.successes('wos', 'CRASH001').sort()).toEqual([...everyone].sort());
    const calls = callsPerFid(h.sim, 'CRASH001');
    for (const fid of everyone) {
      const after = (calls.get(fid) ?? 0) - (callsAtCrash.get(fid) ?? 0);
      if (finalAtCrash.has(fid)) expect(after, `${fid} had a result at the crash`).toBe(0);
      else if (!callsAtCrash.has(fid)) expect(after, `${fid} was not reached before the crash`).toBe(1);
      // A call in flight at the crash has no recorded answer: asked once more (the game answers RECEIVED, not twice SUCCESS).
      else expect(after, `${fid} was being called at the crash`).toBeLessThanOrEqual(1);
    }
    expect(await h.app.store.runs.listRunning()).toEqual([]);
    for (const run of stale) expect((await h.app.store.runs.get(run.id))?.outcome).toBe('interrupted');
    expect((await h.app.store.codes.get('wos', 'CRASH001'))?.fanoutDoneAt).not.toBeNull();
  });
});
