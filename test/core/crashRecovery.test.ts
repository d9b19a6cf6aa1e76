import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import { callsPerFid, seedAlliance, STORE_KINDS } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import { EVENTS } from '../../src/log/events.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const CLI = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const GUILD = '900000000000000001';

describe('a crash between claim and record', () => {
  it.for(STORE_KINDS)(
    'the next run finishes the rest without repeating members that already have a final result (%s store)',
    async (store, { startCore }) => {
      // Slow answers, so the process is killed with calls in flight: claimed in the ledger, not yet recorded.
      const h = await startCore({
        store,
        sim: { latencyMs: { min: 80, max: 160 }, rateLimit: { limit: 40, windowMs: 1_000 } },
        env: { RATE_LIMIT_PER_MINUTE: '40' },
      });
      const fids = await seedAlliance(h, { count: 60 });
      h.sim.addCode('wos', 'CRASHME');

      const child = spawn(NODE, [CLI, 'redeem', GUILD, 'CRASHME', '--json'], {
        env: { ...process.env, ...h.env, REDEEM_CONCURRENCY: '4', LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 30_000;
      while (h.sim.calls.filter((c) => c.cdk === 'CRASHME').length < 20 && Date.now() < deadline) await sleep(20);
      child.kill('SIGKILL');
      await exited;

      const rowsAfterCrash = await h.app.store.ledger.listForCode('wos', 'CRASHME');
      const finalBefore = new Set(
        rowsAfterCrash.filter((r) => ['success', 'already', 'failed'].includes(r.status)).map((r) => r.fid),
      );
      const pendingBefore = rowsAfterCrash.filter((r) => r.status === 'pending').map((r) => r.fid);
      expect(finalBefore.size).toBeGreaterThan(0);
      expect(finalBefore.size).toBeLessThan(60);
      const callsBefore = callsPerFid(h.sim, 'CRASHME');

      const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('CRASHME'), { trigger: 'manual' });
      expect(summary.status).toBe('completed');
      expect(summary.counts.success + summary.counts.already + summary.counts.skipped).toBe(60);
      // Skipped: the members final before, and any whose answer the killed process journaled but did not record.
      const adopted = h.logs.events(EVENTS.answersAdopted).reduce((n, line) => n + Number(line.answers), 0);
      expect(summary.counts.skipped).toBe(finalBefore.size + adopted);

      const callsAfter = callsPerFid(h.sim, 'CRASHME');
      for (const fid of finalBefore) expect(callsAfter.get(fid)).toBe(callsBefore.get(fid));
      // Every member has the code exactly once in the game, and exactly one final row in the ledger.
      const successes = h.sim.successes('wos', 'CRASHME');
      expect(new Set(successes).size).toBe(successes.length);
      expect([...successes].sort()).toEqual([...fids].sort());
      const rows = await h.app.store.ledger.listForCode('wos', 'CRASHME');
      expect(rows.filter((r) => r.status === 'success' || r.status === 'already')).toHaveLength(60);
      // A member whose call was in flight at the crash may be called again; the game then says RECEIVED, never twice SUCCESS.
      for (const fid of pendingBefore) {
        const row = rows.find((r) => r.fid === fid)!;
        expect(['success', 'already']).toContain(row.status);
      }
    },
  );
});
