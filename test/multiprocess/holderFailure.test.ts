import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { analyzeCalls, auditFences } from '../support/cluster/clusterAnalysis.ts';
import { eventually, seedCluster, sleep, startCluster, type Cluster } from '../support/cluster/clusterHarness.ts';
import type { WorkerProcess, WorkerResult } from '../support/cluster/workerProcess.ts';

const TTL_MS = 1_500;
/** API_CONNECT_TIMEOUT_MS + API_READ_TIMEOUT_MS of the cluster. */
const CALL_TIMEOUT_MS = 2_000 + 5_000;
let cluster: Cluster | undefined;
let admin: Redis | undefined;

afterEach(async () => {
  admin?.disconnect();
  admin = undefined;
  await cluster?.close();
  cluster = undefined;
});

const lockKey = (guildId: string, code: string): string => `giftbot:lock:{g:${guildId}}:wos:${code}`;

/** Triggers `worker` every `everyMs` until a trigger is not refused as a duplicate; returns that result. */
async function triggerUntilRuns(
  worker: WorkerProcess,
  guildId: string,
  code: string,
  everyMs: number,
  timeoutMs: number,
): Promise<{ result: WorkerResult; refused: number }> {
  const until = performance.now() + timeoutMs;
  let refused = 0;
  for (;;) {
    const [result] = await worker.trigger({ guildId, code, trigger: 'auto' });
    if (result!.summary.status !== 'duplicate') return { result: result!, refused };
    refused += 1;
    if (performance.now() > until) throw new Error(`still refused as a duplicate after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

describe('a lock holder that dies or freezes', () => {
  it('holder SIGKILLed mid-run → the lock frees within the TTL and the next run calls only the rest', async () => {
    cluster = await startCluster({
      workers: 2,
      sim: { latencyMs: { min: 100, max: 200 } },
      env: { LOCK_TTL_MS: String(TTL_MS) },
    });
    const [a, b] = cluster.workers as [WorkerProcess, WorkerProcess];
    const guildId = '930000000000000001';
    const code = 'KILLED';
    const fids = await seedCluster(cluster, { guildId, code, count: 40, firstFid: 63_000_001 });

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

    // The dead holder's key blocks everyone until it expires: B is refused, then takes over.
    const { result, refused } = await triggerUntilRuns(b, guildId, code, 100, TTL_MS * 4);
    const started = b.messages.find((m) => m.type === 'started' && m.id === result.id)!;
    const recoveryMs = (started.at as number) - killedAt;
    expect(result.summary.status).toBe('completed');
    expect(refused).toBeGreaterThan(0);
    // A dead holder looks, from outside, like a live one whose key an operator deleted: the next run lets its last
    // claims reach one call timeout (connect + read) before its first call, so no call of the two runs overlaps.
    expect(recoveryMs).toBeLessThan(TTL_MS + CALL_TIMEOUT_MS + 2_000);

    // Only the rest: no member whose result was recorded before the kill was called again.
    const after = cluster.sim.calls.filter((call) => call.cdk === code && call.at > killedAt);
    expect(after.filter((call) => finalAtKill.has(call.fid!))).toHaveLength(0);
    // Besides the members final at the kill, the next run skips those whose answer the dead process journaled but had
    // not yet recorded (it records them from the journal); everyone else is called once.
    const adopted = (result.summary.counts.skipped ?? 0) - finalAtKill.size;
    expect(adopted).toBeGreaterThanOrEqual(0);
    expect(result.summary.apiCalls).toBe(40 - finalAtKill.size - adopted);
    const rows = await cluster.ledger(code);
    expect(
      rows
        .filter((row) => ['success', 'already'].includes(row.status))
        .map((row) => row.fid)
        .sort(),
    ).toEqual([...fids].sort());
    const analysis = analyzeCalls(cluster.sim.calls, code, rows);
    // A call in flight when A died may be repeated (its answer was never recorded) — at most A's concurrency (8).
    expect(analysis.duplicatesAfterFinal).toBe(0);
    expect(analysis.inFlightRepeats).toBeLessThanOrEqual(8);
    expect(analysis.lostResults).toBe(0);
    expect(auditFences(cluster.dbPath, code).staleWritesAccepted).toBe(0);
    expect(cluster.sqliteBusy()).toBe(0);
    console.info(
      `SIGKILL: ${finalAtKill.size} final at kill, takeover after ${recoveryMs} ms (TTL ${TTL_MS}), next run ${result.summary.apiCalls} calls, in-flight repeats ${analysis.inFlightRepeats}`,
    );
  });

  it('holder SIGSTOPped past the TTL while another takes over → after SIGCONT no API call, its writes are refused, its release leaves the new lock alone', async () => {
    cluster = await startCluster({ workers: 0, sim: { latencyMs: 300 }, env: { LOCK_TTL_MS: String(TTL_MS) } });
    const a = await cluster.spawn('wA', { REDEEM_CONCURRENCY: '4' });
    const b = await cluster.spawn('wB', { REDEEM_CONCURRENCY: '4' });
    admin = new Redis(cluster.redis.url);
    const guildId = '930000000000000002';
    const code = 'PAUSED';
    await seedCluster(cluster, { guildId, code, count: 60, firstFid: 63_100_001 });

    const aRun = a.fire({ guildId, code, trigger: 'auto' });
    // Freeze A right after a call went out: with 300 ms latency that call is in flight.
    const seen = cluster.sim.calls.length;
    await eventually(
      () => cluster!.sim.calls.filter((call) => call.cdk === code).length >= 8 && cluster!.sim.calls.length > seen,
      20_000,
      'A mid-run',
    );
    const before = cluster.sim.calls.length;
    await eventually(() => cluster!.sim.calls.length > before, 5_000, 'a fresh call', 1);
    a.pause();
    const pausedMono = performance.now();
    await sleep(150); // requests A had already written reach the simulator
    const callsBeforePause = cluster.sim.calls.filter((call) => call.cdk === code).length;

    // A's key expires after the TTL; B takes the lock and a newer fence.
    await eventually(
      async () => (await admin!.exists(lockKey(guildId, code))) === 0,
      TTL_MS * 3,
      'the frozen holder’s key to expire',
    );
    const frozenMs = Math.round(performance.now() - pausedMono);
    const bRun = b.fire({ guildId, code, trigger: 'auto' });
    await b.waitForMessage((m) => m.type === 'started' && m.id === bRun, 30_000);
    const bToken = await admin.get(lockKey(guildId, code));
    expect(bToken).toMatch(/^wB:/);

    a.resume();
    const [aResult] = await a.results(aRun, 1, 20_000);
    // A's release ran with its own, stale token: B's lock is untouched while B is still running.
    expect(a.events(EVENTS.lockReleaseNotOwner)).toHaveLength(1);
    expect(b.messages.some((m) => m.type === 'result' && m.id === bRun)).toBe(false);
    expect(await admin.get(lockKey(guildId, code))).toBe(bToken);

    // After SIGCONT: no API call (its summary counts every call it sent), and its late answers were not recorded.
    expect(aResult!.summary.status).toBe('aborted');
    expect(aResult!.summary.apiCalls).toBe(callsBeforePause);
    const refusedWrites = a.events(EVENTS.staleFence);
    expect(refusedWrites.length).toBeGreaterThan(0);
    expect(a.events(EVENTS.lockLost).length).toBeGreaterThan(0);

    const [bResult] = await b.results(bRun, 1, 30_000);
    expect(bResult!.summary.status).toBe('completed');
    const rows = await cluster.ledger(code);
    expect(rows.filter((row) => ['success', 'already'].includes(row.status))).toHaveLength(60);
    const analysis = analyzeCalls(cluster.sim.calls, code, rows);
    expect(analysis.duplicatesAfterFinal).toBe(0);
    expect(analysis.inFlightRepeats).toBeLessThanOrEqual(4);
    expect(analysis.lostResults).toBe(0);
    const audit = auditFences(cluster.dbPath, code);
    expect(audit.staleWritesAccepted).toBe(0);
    expect(audit.fences.slice(0, 2)).toEqual([1, 2]);
    expect(a.alive && b.alive).toBe(true);
    expect(cluster.sqliteBusy()).toBe(0);
    console.info(
      `SIGSTOP: frozen ${frozenMs} ms, A sent ${callsBeforePause} calls before and 0 after, ${refusedWrites.length} stale write(s) refused, 0 accepted, in-flight repeats ${analysis.inFlightRepeats}`,
    );
  });
});
