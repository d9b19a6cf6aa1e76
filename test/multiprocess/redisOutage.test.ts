import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { analyzeCalls, auditFences } from '../support/cluster/clusterAnalysis.ts';
import {
  eventually,
  finishedRunsWithCalls,
  seedCluster,
  sleep,
  startCluster,
  waitForFinal,
  type Cluster,
} from '../support/cluster/clusterHarness.ts';
import { nodeBinary, type WorkerProcess } from '../support/cluster/workerProcess.ts';

const COMMAND_TIMEOUT_MS = 400;
let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Runs the real CLI against the cluster's database and Redis; resolves with its exit status and how long it took. */
function cli(
  env: Record<string, string>,
  args: string[],
): Promise<{ status: number | null; ms: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(nodeBinary(), ['--no-warnings', resolve(import.meta.dirname, '../../src/cli/bin.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((done) =>
    child.once('exit', (status) => done({ status, ms: performance.now() - started, stdout })),
  );
}

describe('Redis restarted, down or hung', () => {
  it('Redis restarted empty mid-run → the run stops, is deferred and finished once Redis answers; no crash, no hang, no duplicate', async () => {
    cluster = await startCluster({
      workers: 2,
      sim: { latencyMs: { min: 80, max: 150 } },
      env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), REDEEM_CONCURRENCY: '2' },
    });
    const [a, b] = cluster.workers as [WorkerProcess, WorkerProcess];
    const guildId = '940000000000000001';
    const code = 'RESTART';
    const fids = await seedCluster(cluster, { guildId, code, count: 40, firstFid: 64_000_001 });

    const aRun = a.fire({ guildId, code, trigger: 'auto' });
    await eventually(() => cluster!.sim.calls.filter((call) => call.cdk === code).length >= 8, 20_000, 'A mid-run');
    await cluster.redis.kill();
    const downAt = performance.now();

    // While Redis is down a new trigger elsewhere answers at once (bounded by the command timeout), deferred.
    const [bWhileDown] = await b.trigger({ guildId, code, trigger: 'auto' });
    const bAnswerMs = bWhileDown!.at - bWhileDown!.sentAt;
    expect(bWhileDown!.summary.status).toBe('deferred');
    expect(bAnswerMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);

    // A notices by its local deadline (it cannot renew) and stops.
    const [aResult] = await a.results(aRun, 1, 15_000);
    const aStoppedMs = Math.round(performance.now() - downAt);
    expect(aResult!.summary.status).toBe('aborted');
    expect(a.events(EVENTS.lockLost).length).toBeGreaterThan(0);
    const statusDown = await b.status();
    expect(statusDown.redis.reachable).toBe(false);
    expect(statusDown.deferredRuns).toMatchObject([{ guildId, code }]);

    await cluster.redis.restart(); // empty: the lock key and the budget window are gone
    const rows = await waitForFinal(cluster, code, 40, 20_000);
    expect(
      rows
        .filter((row) => row.status === 'success')
        .map((row) => row.fid)
        .sort(),
    ).toEqual([...fids].sort());
    const analysis = analyzeCalls(cluster.sim.calls, code, rows);
    expect(analysis).toMatchObject({ calls: 40, repeatCalls: 0, duplicatesAfterFinal: 0, lostResults: 0 });
    expect(auditFences(cluster.dbPath, code).staleWritesAccepted).toBe(0);

    // Both processes survived, see Redis again, and nothing is left waiting.
    await eventually(
      async () => (await a.status()).deferredRuns.length === 0 || undefined,
      10_000,
      'the deferred row to be removed',
    );
    for (const worker of [a, b]) {
      expect(worker.alive).toBe(true);
      const status = await eventually(
        async () => {
          const current = await worker.status();
          return current.redis.reachable && current.budgets.every((budget) => budget.mode === 'shared')
            ? current
            : undefined;
        },
        10_000,
        'Redis reachable and the budget shared again',
      );
      expect(status.activeRuns).toHaveLength(0);
    }
    const retries = [...a.events(EVENTS.deferredDone), ...b.events(EVENTS.deferredDone)];
    expect(retries).toHaveLength(1);
    expect([...a.events(EVENTS.redisUnavailable), ...b.events(EVENTS.redisUnavailable)].length).toBeGreaterThanOrEqual(
      2,
    );
    expect(cluster.sqliteBusy()).toBe(0);
    console.info(
      `Redis restart: B answered 'deferred' in ${bAnswerMs} ms, A stopped ${aStoppedMs} ms after the outage began, ${analysis.calls} calls for 40 members, 0 repeats`,
    );
  });

  it('Redis down at start → the bot starts anyway, runs are deferred (CLI exit 5) and run once when Redis comes up; an admin can force a local run', async () => {
    cluster = await startCluster({
      workers: 2,
      redisDownAtStart: true,
      sim: { latencyMs: 20 },
      env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
    });
    const [a, b] = cluster.workers as [WorkerProcess, WorkerProcess];
    const guildId = '940000000000000002';
    const code = 'LATEUP';
    const fids = await seedCluster(cluster, { guildId, code, count: 20, firstFid: 64_100_001 });

    const startStatus = await a.status();
    expect(startStatus.redis).toMatchObject({ configured: true, reachable: false });
    expect(a.events(EVENTS.redisUnavailable)).toHaveLength(1);

    const results = (
      await Promise.all([
        a.trigger({ guildId, code, trigger: 'auto', count: 5 }),
        b.trigger({ guildId, code, trigger: 'auto', count: 5 }),
      ])
    ).flat();
    const answered = results.map((r) => r.at - r.sentAt);
    expect(results.filter((r) => r.summary.status === 'deferred').length).toBeGreaterThanOrEqual(2);
    expect(results.every((r) => ['deferred', 'duplicate'].includes(r.summary.status))).toBe(true);
    expect(Math.max(...answered)).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);
    const deferredStatus = await b.status();
    expect(deferredStatus.deferredRuns).toHaveLength(1);
    expect(deferredStatus.budgets.every((budget) => budget.mode === 'fallback')).toBe(true);

    // The CLI waits briefly for Redis, then records the deferral and says so with exit status 5.
    const deferredCli = await cli(cluster.env, ['redeem', guildId, code]);
    expect(deferredCli.status).toBe(5);
    // An admin forces a local run of another alliance's code: safe because of the ledger.
    const other = await seedCluster(cluster, {
      guildId: '940000000000000003',
      code: 'FORCED',
      count: 5,
      firstFid: 64_200_001,
    });
    const forced = await cli(cluster.env, ['redeem', '940000000000000003', 'FORCED', '--force-local']);
    expect(forced.status).toBe(0);
    expect(cluster.sim.successes('wos', 'FORCED').sort()).toEqual([...other].sort());
    expect(cluster.sim.calls.filter((call) => call.cdk === code)).toHaveLength(0);

    await sleep(300);
    await cluster.redis.restart();
    const rows = await waitForFinal(cluster, code, 20, 20_000);
    expect(rows.map((row) => row.fid).sort()).toEqual([...fids].sort());
    expect(analyzeCalls(cluster.sim.calls, code, rows)).toMatchObject({ calls: 20, repeatCalls: 0, lostResults: 0 });
    const runs = await finishedRunsWithCalls(cluster, guildId, code);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toBe('deferred');
    await eventually(
      async () => (await a.status()).deferredRuns.length === 0 || undefined,
      10_000,
      'the deferred row to be removed',
    );
    // Each process notices on its own reconnect schedule: both say so.
    await eventually(
      () => (a.events(EVENTS.redisRecovered).length > 0 && b.events(EVENTS.redisRecovered).length > 0) || undefined,
      10_000,
      'both processes to log redis.recovered',
    );
    expect(a.alive && b.alive).toBe(true);
    expect(cluster.sqliteBusy()).toBe(0);
    console.info(
      `Redis down at start: triggers answered in ≤ ${Math.max(...answered)} ms, CLI exit 5 after ${Math.round(deferredCli.ms)} ms, 1 run with ${rows.length} calls after Redis came up`,
    );
  });

  it('Redis hung (SIGSTOP) mid-run → the holder stops by its deadline, triggers answer within the command timeout, nothing hangs', async () => {
    cluster = await startCluster({
      workers: 2,
      sim: { latencyMs: { min: 80, max: 150 } },
      env: { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), REDEEM_CONCURRENCY: '2' },
    });
    const [a, b] = cluster.workers as [WorkerProcess, WorkerProcess];
    const guildId = '940000000000000004';
    const code = 'HUNG';
    await seedCluster(cluster, { guildId, code, count: 40, firstFid: 64_300_001 });

    const aRun = a.fire({ guildId, code, trigger: 'auto' });
    await eventually(() => cluster!.sim.calls.filter((call) => call.cdk === code).length >= 8, 20_000, 'A mid-run');
    cluster.redis.pause();
    try {
      const [bHung] = await b.trigger({ guildId, code, trigger: 'auto' });
      expect(bHung!.summary.status).toBe('deferred');
      expect(bHung!.at - bHung!.sentAt).toBeLessThan(COMMAND_TIMEOUT_MS + 1_000);
      const [aResult] = await a.results(aRun, 1, 15_000);
      expect(aResult!.summary.status).toBe('aborted');
    } finally {
      cluster.redis.resume();
    }
    const rows = await waitForFinal(cluster, code, 40, 20_000);
    expect(analyzeCalls(cluster.sim.calls, code, rows)).toMatchObject({ calls: 40, repeatCalls: 0, lostResults: 0 });
    expect(a.alive && b.alive).toBe(true);
  });
});
