import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import type { LogReport } from '../../src/ops/logCheck/logAnalyser.ts';
import { startWatchdog, type Watchdog } from '../../src/ops/watchdog.ts';
import { seedAlliance } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { logsCheck } from './helpers.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let watchdog: Watchdog | undefined;
// Runs before the fixture closes the harness.
afterEach(() => {
  watchdog?.stop();
});

describe('the watchdog', () => {
  it('reports a run that holds its lock too long and one that makes no progress, once each, with details', async ({
    startCore,
  }) => {
    const h = await startCore({ env: { REDEEM_CONCURRENCY: '1' } });
    const fids = await seedAlliance(h, { count: 4 });
    h.sim.addCode('wos', 'SLOWRUN');
    // The second member's answer is held back 1.5 s: the run makes no progress meanwhile.
    h.sim.injectFault({ kind: 'slow', fid: fids[1]!, delayMs: 1_500 });
    watchdog = startWatchdog({
      activeRuns: h.app.activeRuns,
      log: h.logs.log,
      heldAfterMs: 600,
      idleAfterMs: 800,
      intervalMs: 50,
    });

    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('SLOWRUN'), { trigger: 'manual' });
    expect(summary.status).toBe('completed');
    expect(summary.counts.success).toBe(4);

    const stuck = h.logs.events(EVENTS.stuck);
    expect(stuck.map((line) => line.reason).sort()).toEqual(['held-too-long', 'no-progress']);
    for (const line of stuck) {
      expect(line).toMatchObject({
        level: 'warn',
        guildId: GUILD,
        code: 'SLOWRUN',
        game: 'wos',
        runId: summary.runId,
        trigger: 'manual',
        total: 4,
      });
      expect(line.processed).toBeLessThan(4);
    }
    const noProgress = stuck.find((line) => line.reason === 'no-progress')!;
    expect(noProgress.idleMs).toBeGreaterThanOrEqual(800);
    expect(noProgress.thresholdMs).toBe(800);

    // The run's lock did not outlive it: the active set is empty, and nothing more is reported.
    expect(h.app.activeRuns.list()).toEqual([]);
    expect(watchdog.check()).toEqual([]);

    // `logs check` turns the watchdog's line into a problem with the run's evidence.
    const file = join(h.dir, 'watchdog.log');
    writeFileSync(file, `${h.logs.raw.join('\n')}\n`);
    const checked = await logsCheck([file, '--json']);
    expect(checked.code).toBe(1);
    const report = JSON.parse(checked.stdout) as LogReport;
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'stuck-run', runId: summary.runId, code: 'SLOWRUN' }),
    ]);
    expect(report.problems[0]!.evidence).toHaveLength(2);
  });

  it('says nothing about runs that keep moving within the thresholds', async ({ startCore }) => {
    const h = await startCore();
    await seedAlliance(h, { count: 10 });
    h.sim.addCode('wos', 'QUICK');
    watchdog = startWatchdog({
      activeRuns: h.app.activeRuns,
      log: h.logs.log,
      heldAfterMs: 60_000,
      idleAfterMs: 30_000,
      intervalMs: 20,
    });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('QUICK'), { trigger: 'auto' });
    expect(summary.counts.success).toBe(10);
    expect(h.logs.events(EVENTS.stuck)).toEqual([]);
  });
});
