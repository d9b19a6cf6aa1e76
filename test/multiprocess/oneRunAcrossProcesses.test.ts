import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { analyzeCalls, auditFences } from '../support/cluster/clusterAnalysis.ts';
import { seedCluster, startCluster, type Cluster } from '../support/cluster/clusterHarness.ts';

const GUILD = '910000000000000001';
let cluster: Cluster;

beforeAll(async () => {
  // Latency makes the run last long enough that every trigger arrives while it is running.
  cluster = await startCluster({ workers: 4, sim: { latencyMs: { min: 20, max: 60 } } });
});
afterAll(async () => {
  await cluster?.close();
});

describe('four giftbot processes, one SQLite file, one Redis', () => {
  it('100 simultaneous triggers across 4 processes → exactly one run and zero duplicate calls', async () => {
    const code = 'ONE100';
    const fids = await seedCluster(cluster, { guildId: GUILD, count: 60, firstFid: 61_000_001, code });

    // 25 triggers in each process, all sent in the same tick.
    const ids = cluster.workers.map((worker) => worker.fire({ guildId: GUILD, code, count: 25, trigger: 'auto' }));
    const results = (await Promise.all(cluster.workers.map((worker, i) => worker.results(ids[i]!, 25)))).flat();

    const statuses = results.map((r) => r.summary.status);
    expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(99);
    const runs = await cluster.runs(GUILD);
    expect(runs.filter((run) => run.code === code)).toHaveLength(1);

    // Ground truth: the game saw each member exactly once.
    const analysis = analyzeCalls(cluster.sim.calls, code, await cluster.ledger(code));
    expect(analysis).toMatchObject({
      calls: 60,
      playersCalled: 60,
      repeatCalls: 0,
      duplicatesAfterFinal: 0,
      lostResults: 0,
      rateLimited: 0,
    });
    expect(cluster.sim.successes('wos', code).sort()).toEqual([...fids].sort());
    const rows = await cluster.ledger(code);
    expect(rows.filter((row) => row.status === 'success')).toHaveLength(60);

    // Duplicates were refused at both layers: in-process (the other 24 in the winner) and through Redis.
    const skipped = cluster.workers.flatMap((worker) => worker.events(EVENTS.duplicateSkipped));
    expect(skipped).toHaveLength(99);
    expect(skipped.filter((line) => line.layer === 'redis').length).toBeGreaterThanOrEqual(1);
    expect(auditFences(cluster.dbPath, code)).toMatchObject({ fences: [1], staleWritesAccepted: 0 });
    // The store under four writers: never a SQLITE_BUSY.
    expect(cluster.sqliteBusy()).toBe(0);
    // Nothing is left in Redis without an expiry (the lock key is gone; budget keys expire on their own).
    const admin = new Redis(cluster.redis.url);
    try {
      const keys = await admin.keys('*');
      expect(keys.filter((key) => key.includes(':lock:'))).toEqual([]);
      for (const key of keys) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
    }
    // Every worker is still up and holds no lock.
    for (const worker of cluster.workers) {
      expect(worker.alive).toBe(true);
      expect((await worker.status()).activeRuns).toHaveLength(0);
    }
  });
});
