import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscovery, type Discovery } from '../../src/codes/createDiscovery.ts';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { redeemCalls, seedGuild } from './helpers.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import { addMember, allianceOf } from '../support/alliances.ts';

const TEST_FID = '49999999';
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const run = promisify(execFile);

let h: CoreHarness | undefined;
let discovery: Discovery | undefined;
afterEach(async () => {
  await discovery?.stop();
  await h?.close();
  discovery = undefined;
  h = undefined;
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...h!.env, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function accepted(code: string) {
  const result = await discovery!.intake.submit({ code: giftCode(code), game: 'wos', source: 'test' });
  if (result.kind !== 'accepted') throw new Error(`${code} was ${result.kind}`);
  return result.done;
}

describe('catch-up for new members', () => {
  it('a member added after a run gets every still-valid code, and no expired one', async () => {
    h = await startCoreHarness({ env: { TEST_PLAYER_WOS: `${TEST_FID}:245` } });
    h.sim.addPlayer('wos', { fid: TEST_FID, kid: 245 });
    await seedGuild(h, { id: '940000000000000001', members: 3, firstFid: 51_000_001 });
    await seedGuild(h, { id: '940000000000000002', members: 2, firstFid: 52_000_001, autoRedeem: false });
    h.sim.addCode('wos', 'STILLOK1');
    h.sim.addCode('wos', 'STILLOK2');
    h.sim.addCode('wos', 'GONENOW1', { status: 'expired' });
    h.sim.addCode('wos', 'DIEDLATE');
    discovery = createDiscovery(h.app, { feeds: [] });
    for (const code of ['STILLOK1', 'STILLOK2', 'GONENOW1', 'DIEDLATE']) await accepted(code);
    // Expired since its run: still "valid" in the store, the catch-up finds out with one call.
    h.sim.setCodeStatus('wos', 'DIEDLATE', 'expired');

    const newcomer = '51000099';
    h.sim.addPlayer('wos', { fid: newcomer, kid: 245 });
    await addMember(h.app.store, '940000000000000001', { fid: newcomer, state: 245 });
    const report = await discovery.catchUpMember('940000000000000001', newcomer);
    expect(report.skipped).toBeNull();
    expect(report.runs.map((r) => [r.code, r.status, r.trigger]).sort()).toEqual([
      ['DIEDLATE', 'code-invalid', 'catch-up'],
      ['STILLOK1', 'completed', 'catch-up'],
      ['STILLOK2', 'completed', 'catch-up'],
    ]);
    expect(h.sim.successes('wos', 'STILLOK1')).toContain(newcomer);
    expect(h.sim.successes('wos', 'STILLOK2')).toContain(newcomer);
    expect(redeemCalls(h, 'GONENOW1').map((c) => c.fid)).toEqual([TEST_FID]);
    expect(redeemCalls(h, 'DIEDLATE').filter((c) => c.fid === newcomer)).toHaveLength(1);
    expect((await h.app.store.codes.get('wos', 'DIEDLATE'))?.status).toBe('expired');
    // Only the newcomer was called: the others already had these codes.
    expect([...callsPerFid(h.sim, 'STILLOK1').values()].every((n) => n === 1)).toBe(true);

    // Twice is a no-op: no run, no call.
    const calls = h.sim.calls.length;
    expect((await discovery.catchUpMember('940000000000000001', newcomer)).runs).toEqual([]);
    expect(h.sim.calls.length).toBe(calls);
    // An alliance without auto-redeem is left to its admins.
    expect((await discovery.catchUpMember('940000000000000002', '52000001')).skipped).toBe(
      'auto-redeem is off for this alliance',
    );
    expect(h.logs.events(EVENTS.codeCatchUp).length).toBeGreaterThanOrEqual(2);
  });
});

describe('fan-out order and fairness', () => {
  it('alliances start in the admin-set priority order and take turns on the shared budget', async () => {
    h = await startCoreHarness({
      env: { TEST_PLAYER_WOS: `${TEST_FID}:245`, RATE_LIMIT_PER_MINUTE: '10', RATE_LIMIT_WINDOW_MS: '1000' },
    });
    h.sim.addPlayer('wos', { fid: TEST_FID, kid: 245 });
    const guildOf = new Map<string, string>();
    for (const [id, priority, first] of [
      ['940000000000000030', 30, 53_000_001],
      ['940000000000000010', 10, 51_000_001],
      ['940000000000000020', 20, 52_000_001],
    ] as const) {
      for (const fid of await seedGuild(h, { id, members: 12, firstFid: first, priority })) guildOf.set(fid, id);
    }
    discovery = createDiscovery(h.app, { feeds: [] });
    h.sim.addCode('wos', 'FAIRNESS');
    const report = await accepted('FAIRNESS');
    expect(report.finished).toBe(true);

    const order = redeemCalls(h, 'FAIRNESS')
      .filter((c) => c.fid !== TEST_FID)
      .map((c) => guildOf.get(c.fid!)!);
    expect(order).toHaveLength(36);
    const firstCall = (id: string) => order.indexOf(id);
    const lastCall = (id: string) => order.lastIndexOf(id);
    expect(firstCall('940000000000000010')).toBeLessThan(firstCall('940000000000000020'));
    expect(firstCall('940000000000000020')).toBeLessThan(firstCall('940000000000000030'));
    // Nobody waits for a whole run: the last alliance is called before the first one is done.
    expect(firstCall('940000000000000030')).toBeLessThan(lastCall('940000000000000010'));
  });
});

describe('command line', () => {
  it('codes add, guild priority, members add with catch-up', async () => {
    h = await startCoreHarness({ env: { TEST_PLAYER_WOS: `${TEST_FID}:245` } });
    h.sim.addPlayer('wos', { fid: TEST_FID, kid: 245 });
    const fids = await seedGuild(h, { id: '940000000000000001', members: 3, firstFid: 51_000_001 });
    h.sim.addCode('wos', 'CLICODE1');
    h.sim.addCode('wos', 'CLIOLD01', { status: 'expired' });

    const added = await cli(['codes', 'add', '\u200bCLICODE1 ', '--game', 'wos']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('CLICODE1 (wos) recorded; checking it');
    expect(added.stdout).toMatch(/940000000000000001: completed — CLICODE1: 3 of 3 members have it/);
    expect(h.sim.successes('wos', 'CLICODE1').sort()).toEqual([TEST_FID, ...fids].sort());
    expect(await h.app.store.codes.get('wos', 'CLICODE1')).toMatchObject({ source: 'cli', status: 'valid' });

    const again = await cli(['codes', 'add', 'CLICODE1', '--game', 'wos']);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already known (valid') });
    const dead = await cli(['codes', 'add', 'CLIOLD01', '--game', 'wos']);
    expect(dead.code).toBe(3);
    expect(dead.stdout).toContain('The game says CLIOLD01 is expired (TIME ERROR.)');
    expect(redeemCalls(h, 'CLIOLD01')).toHaveLength(1);
    expect(await cli(['codes', 'add', 'A-B', '--game', 'wos'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Not a gift code'),
    });
    expect(await cli(['codes', 'add', 'CLICODE1'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--game is required'),
    });

    expect(await cli(['guild', 'priority', '940000000000000001', '5'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('fan-out priority 5'),
    });
    expect((await allianceOf(h.app.store, '940000000000000001')).fanoutPriority).toBe(5);
    expect(await cli(['guild', 'priority', '940000000000000009', '5'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not set up'),
    });

    h.sim.addPlayer('wos', { fid: '51000077', kid: 245 });
    const member = await cli(['members', 'add', '940000000000000001', '51000077', '--state', '245']);
    expect(member.code).toBe(0);
    expect(member.stdout).toContain('Catch-up: 1 still-valid code(s) run');
    expect(h.sim.successes('wos', 'CLICODE1')).toContain('51000077');
    h.sim.addPlayer('wos', { fid: '51000078', kid: 245 });
    const skipped = await cli(['members', 'add', '940000000000000001', '51000078', '--no-catch-up']);
    expect(skipped.stdout).not.toContain('Catch-up');
    expect(h.sim.successes('wos', 'CLICODE1')).not.toContain('51000078');
  });
});
