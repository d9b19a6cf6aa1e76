import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { analyzeCalls } from '../support/cluster/clusterAnalysis.ts';
import { eventually, seedCluster, sleep, startCluster, type Cluster } from '../support/cluster/clusterHarness.ts';
import type { WorkerProcess } from '../support/cluster/workerProcess.ts';

const TTL_MS = 1_500;
let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('giftbot processes sharing one PostgreSQL database and one Redis', () => {
  it('100 simultaneous triggers across 4 processes → exactly one run and zero duplicate calls', async () => {
    cluster = await startCluster({ workers: 4, store: 'postgres', sim: { latencyMs: { min: 20, max: 60 } } });
    const guildId = '940000000000000001';
    const code = 'PG100';
    const fids = await seedCluster(cluster, { guildId, count: 60, firstFid: 64_000_001, code });
    const ids = cluster.workers.map((worker) => worker.fire({ guildId, code, count: 25, trigger: 'auto' }));
    const results = (await Promise.all(cluster.workers.map((worker, i) => worker.results(ids[i]!, 25)))).flat();
    const statuses = results.map((r) => r.summary.status);
    expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(99);
    expect((await cluster.runs(guildId)).filter((run) => run.code === code)).toHaveLength(1);
    const rows = await cluster.ledger(code);
    expect(analyzeCalls(cluster.sim.calls, code, rows)).toMatchObject({
      calls: 60,
      playersCalled: 60,
      repeatCalls: 0,
      duplicatesAfterFinal: 0,
      lostResults: 0,
      rateLimited: 0,
    });
    expect(cluster.sim.successes('wos', code).sort()).toEqual([...fids].sort());
    expect(await cluster.store.ledger.currentFence(guildId, 'wos', code)).toBe(1);
    for (const worker of cluster.workers)
      expect(worker.events(EVENTS.storeOpened)).toMatchObject([{ kind: 'postgres' }]);
  });

  it('kill -9 of the process mid-run → the next run finishes the rest, no member with a result called again', async () => {
    cluster = await startCluster({
      workers: 2,
      store: 'postgres',
      sim: { latencyMs: { min: 100, max: 200 } },
      env: { LOCK_TTL_MS: String(TTL_MS) },
    });
    const [a, b] = cluster.workers as [WorkerProcess, WorkerProcess];
    const guildId = '940000000000000002';
    const code = 'PGKILL';
    const fids = await seedCluster(cluster, { guildId, code, count: 40, firstFid: 64_100_001 });
    a.fire({ guildId, code, trigger: 'auto' });
    await eventually(
      () => cluster!.sim.calls.filter((call) => call.cdk === code).length >= 12,
      20_000,
      'the first calls',
    );
    await a.kill();
    const killedAt = Date.now();
    const finalAtKill = new Set(
      (await cluster.ledger(code))
        .filter((row) => ['success', 'already', 'failed'].includes(row.status))
        .map((row) => row.fid),
    );
    expect(finalAtKill.size).toBeGreaterThan(0);
    expect(finalAtKill.size).toBeLessThan(40);

    // The dead holder's lock expires within the TTL; then B's run takes a newer fence from the database.
    let summary;
    for (;;) {
      const [result] = await b.trigger({ guildId, code, trigger: 'auto' });
      if (result!.summary.status !== 'duplicate') {
        summary = result!.summary;
        break;
      }
      await sleep(100);
    }
    expect(summary.status).toBe('completed');
    const after = cluster.sim.calls.filter((call) => call.cdk === code && call.at > killedAt);
    expect(after.filter((call) => finalAtKill.has(call.fid!))).toHaveLength(0);
    // Besides the members final at the kill, the next run skips those whose answer the dead process journaled but had
    // not yet recorded (it records them from the journal); everyone else is called once.
    const adopted = (summary.counts.skipped ?? 0) - finalAtKill.size;
    expect(adopted).toBeGreaterThanOrEqual(0);
    expect(summary.apiCalls).toBe(40 - finalAtKill.size - adopted);
    const rows = await cluster.ledger(code);
    expect(
      rows
        .filter((row) => ['success', 'already'].includes(row.status))
        .map((row) => row.fid)
        .sort(),
    ).toEqual([...fids].sort());
    const analysis = analyzeCalls(cluster.sim.calls, code, rows);
    expect(analysis.duplicatesAfterFinal).toBe(0);
    expect(analysis.inFlightRepeats).toBeLessThanOrEqual(8);
    expect(analysis.lostResults).toBe(0);
    expect(await cluster.store.ledger.currentFence(guildId, 'wos', code)).toBe(2);
  });
});
