/**
 * `npm run chaos [-- --runs 50] [--seed 1] [--workers 3] [--members 24]`: the multi-process failure scenarios of
 * shared/spec/locking.md repeated with random timing, against real giftbot processes (test/support/cluster/worker.ts),
 * one SQLite file, a throw-away redis-server and the game-API simulator.
 *
 * Each repetition takes a fresh alliance and code, starts a run in one process, and when a random number of calls
 * has gone out does one of: SIGKILL the holder; SIGSTOP it past the lock TTL (then SIGCONT); kill Redis and bring it
 * back empty after a random outage. Meanwhile the other processes keep triggering the code (as pollers and admins
 * would) until every member has a final result. Measured from ground truth (the simulator's call record, the ledger
 * and a ledger audit trigger): duplicate calls, stale writes accepted, lost results, and the recovery time.
 *
 * Exit status 1 when an invariant broke (a duplicate after a recorded result, a stale write accepted, a lost or
 * unfinished result, a crash, a SQLITE_BUSY).
 */
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/dev/simulator/prng.ts';
import { analyzeCalls, auditFences } from '../test/support/cluster/clusterAnalysis.ts';
import {
  eventually,
  seedCluster,
  sleep,
  startCluster,
  waitForFinal,
  type Cluster,
} from '../test/support/cluster/clusterHarness.ts';
import type { WorkerProcess } from '../test/support/cluster/workerProcess.ts';

type Scenario = 'kill' | 'pause' | 'redis-restart';
const SCENARIOS: readonly Scenario[] = ['kill', 'pause', 'redis-restart'];
const TTL_MS = 1_000;

interface Repetition {
  scenario: Scenario;
  faultAfterCalls: number;
  faultMs: number;
  calls: number;
  duplicatesAfterFinal: number;
  inFlightRepeats: number;
  staleWritesAccepted: number;
  staleWritesRefused: number;
  lostResults: number;
  unfinished: number;
  rateLimited: number;
  /** Fault → the next run holding the lock (its run record's start). */
  recoveryMs: number | null;
  /** Fault → every member final. */
  completionMs: number | null;
  runs: number;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '3' },
    members: { type: 'string', default: '24' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run chaos [-- --runs 50] [--seed 1] [--workers 3] [--members 24]');
  process.exit(0);
}
const runs = Number(values.runs);
const workersWanted = Number(values.workers);
const members = Number(values.members);
if (!(runs >= 1) || !(workersWanted >= 2) || !(members >= 4))
  throw new Error('--runs ≥ 1, --workers ≥ 2, --members ≥ 4');
const random = seededRandom(Number(values.seed));
const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const cluster: Cluster = await startCluster({
  workers: workersWanted,
  sim: { latencyMs: { min: 30, max: 120 }, seed: Number(values.seed) },
  env: {
    LOCK_TTL_MS: String(TTL_MS),
    REDIS_COMMAND_TIMEOUT_MS: '300',
    REDEEM_CONCURRENCY: '4',
    DEFERRED_RETRY_MS: '200',
    DEFERRED_RETRY_MAX_MS: '1000',
    LOG_LEVEL: 'info',
  },
});
let spawned = workersWanted;
const killed = new Set<WorkerProcess>();
const paused = new Set<WorkerProcess>();
const live = (): WorkerProcess[] => cluster.workers.filter((w) => w.alive && !paused.has(w));

async function repetition(index: number, scenario: Scenario): Promise<Repetition> {
  const guildId = String(950_000_000_000_000_000n + BigInt(index));
  const code = `CHAOS${index}`;
  await seedCluster(cluster, { guildId, code, count: members, firstFid: 70_000_001 + index * 1_000 });
  const holder = pick(live());
  const faultAfterCalls = between(1, members - 2);
  const callsFor = (): number => cluster.sim.calls.filter((call) => call.cdk === code).length;

  const holderRun = holder.fire({ guildId, code, trigger: 'auto' });
  await eventually(() => callsFor() >= faultAfterCalls || undefined, 30_000, `${faultAfterCalls} calls`, 5);

  // Others keep triggering until the code is done (a duplicate while the lock is held, a takeover once it is free).
  let driving = true;
  const driver = (async () => {
    while (driving) {
      const others = live().filter((w) => w !== holder || scenario === 'redis-restart');
      if (others.length > 0) pick(others).fire({ guildId, code, trigger: 'auto' });
      await sleep(between(150, 350));
    }
  })();

  const faultAt = Date.now();
  let faultMs = 0;
  if (scenario === 'kill') {
    await holder.kill();
    killed.add(holder);
    spawned += 1;
    void cluster.spawn(`w${spawned}`).catch(() => undefined); // a replacement, as a supervisor would start
  } else if (scenario === 'pause') {
    faultMs = between(Math.round(TTL_MS * 1.2), Math.round(TTL_MS * 2.5));
    holder.pause();
    paused.add(holder);
    await sleep(faultMs);
    holder.resume();
    paused.delete(holder);
  } else {
    faultMs = between(0, 1_500);
    await cluster.redis.kill();
    await sleep(faultMs);
    await cluster.redis.restart();
  }

  let completionMs: number | null = null;
  try {
    await waitForFinal(cluster, code, members, 30_000);
    completionMs = Date.now() - faultAt;
  } catch {
    // reported as unfinished below
  }
  driving = false;
  await driver;
  // Let the faulted holder's run (if it lives) and any deferred retry finish before measuring.
  if (holder.alive) await holder.results(holderRun, 1, 30_000).catch(() => undefined);
  await eventually(
    async () => (await cluster.store.deferredRuns.list()).every((row) => row.guildId !== guildId) || undefined,
    15_000,
    'deferred rows',
  ).catch(() => undefined);

  const rows = await cluster.ledger(code);
  const analysis = analyzeCalls(cluster.sim.calls, code, rows);
  const audit = auditFences(cluster.dbPath, code);
  const runRecords = (await cluster.runs(guildId)).filter((run) => run.code === code);
  for (const fid of analysis.duplicateFids) {
    // Everything known about a broken invariant, to find its cause.
    const detail = {
      fid,
      calls: cluster.sim.calls
        .filter((call) => call.cdk === code && call.fid === fid)
        .map((call) => ({ at: call.at, errCode: call.errCode, httpStatus: call.httpStatus })),
      row: rows.find((row) => row.fid === fid),
      audit: auditRows(code, fid),
      runs: runRecords.map((run) => ({
        id: run.id,
        fence: run.fence,
        owner: run.owner,
        trigger: run.trigger,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        outcome: run.outcome,
      })),
      logs: cluster.workers.flatMap((w) =>
        w.logs
          .filter((line) => line.fid === fid || (line.code === code && String(line.event).startsWith('redeem.lock')))
          .map((line) => ({ worker: w.name, ...line })),
      ),
    };
    process.stderr.write(`DUPLICATE ${JSON.stringify(detail, null, 1)}\n`);
  }
  const next = runRecords.find((run) => run.startedAt >= faultAt);
  return {
    scenario,
    faultAfterCalls,
    faultMs,
    calls: analysis.calls,
    duplicatesAfterFinal: analysis.duplicatesAfterFinal,
    inFlightRepeats: analysis.inFlightRepeats,
    staleWritesAccepted: audit.staleWritesAccepted,
    staleWritesRefused: holder.logs.filter((line) => line.event === 'redeem.stale_fence' && line.code === code).length,
    lostResults: analysis.lostResults,
    unfinished: members - rows.filter((row) => ['success', 'already', 'failed'].includes(row.status)).length,
    rateLimited: analysis.rateLimited,
    recoveryMs: next ? next.startedAt - faultAt : null,
    completionMs,
    runs: runRecords.length,
  };
}

function auditRows(code: string, fid: string): unknown[] {
  const db = new DatabaseSync(cluster.dbPath, { readOnly: true });
  try {
    return db
      .prepare('SELECT * FROM test_audit WHERE code = ? AND (fid = ? OR kind = ?) ORDER BY id')
      .all(code, fid, 'fence');
  } finally {
    db.close();
  }
}

const results: Repetition[] = [];
const started = performance.now();
try {
  for (let i = 0; i < runs; i += 1) {
    const scenario = SCENARIOS[i % SCENARIOS.length]!;
    const result = await repetition(i + 1, scenario);
    results.push(result);
    const flag =
      result.duplicatesAfterFinal + result.staleWritesAccepted + result.lostResults + result.unfinished > 0
        ? '  <-- INVARIANT BROKEN'
        : '';
    process.stderr.write(
      `chaos ${String(i + 1).padStart(3)}/${runs} ${scenario.padEnd(13)} fault after ${String(result.faultAfterCalls).padStart(2)} calls` +
        `${result.faultMs ? ` (${result.faultMs} ms)` : ''}: ${result.calls} calls, repeats ${result.inFlightRepeats}, ` +
        `recovery ${result.recoveryMs ?? '–'} ms, done after ${result.completionMs ?? '–'} ms${flag}\n`,
    );
  }
} finally {
  const crashes = cluster.workers.filter((w) => !w.alive && !killed.has(w)).length;
  const busy = cluster.sqliteBusy();
  await cluster.close();
  report(results, crashes, busy, performance.now() - started);
}

function report(all: Repetition[], crashes: number, busy: number, wallMs: number): void {
  const sum = (f: (r: Repetition) => number): number => all.reduce((total, r) => total + f(r), 0);
  const worst = (f: (r: Repetition) => number | null): string => {
    const figures = all.map(f).filter((v): v is number => v !== null);
    return figures.length ? `${Math.max(...figures)} ms` : 'n/a';
  };
  const median = (f: (r: Repetition) => number | null): string => {
    const figures = all
      .map(f)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    return figures.length ? `${figures[Math.floor(figures.length / 2)]} ms` : 'n/a';
  };
  const byScenario = SCENARIOS.map((s) => `${all.filter((r) => r.scenario === s).length} ${s}`).join(', ');
  const broken =
    sum((r) => r.duplicatesAfterFinal + r.staleWritesAccepted + r.lostResults + r.unfinished) + crashes + busy;
  const lines = [
    '',
    `chaos: ${all.length} runs (${byScenario}) in ${(wallMs / 1000).toFixed(0)} s, seed ${values.seed}, ${workersWanted} processes, ${members} members, lock TTL ${TTL_MS} ms`,
    `  duplicate calls (after a recorded final result):   ${sum((r) => r.duplicatesAfterFinal)}`,
    `  in-flight repeats (answer never recorded; allowed): ${sum((r) => r.inFlightRepeats)} (worst run ${Math.max(0, ...all.map((r) => r.inFlightRepeats))}; ≤ calls in flight when the holder failed)`,
    `  stale writes accepted:                             ${sum((r) => r.staleWritesAccepted)} (refused: ${sum((r) => r.staleWritesRefused)})`,
    `  lost results:                                      ${sum((r) => r.lostResults)}`,
    `  members left unfinished:                           ${sum((r) => r.unfinished)}`,
    `  crashes: ${crashes}, SQLITE_BUSY: ${busy}, 429s: ${sum((r) => r.rateLimited)}`,
    `  recovery (fault → next run holds the lock):        median ${median((r) => r.recoveryMs)}, worst ${worst((r) => r.recoveryMs)}`,
    ...SCENARIOS.map((s) => `    ${s.padEnd(14)} worst ${worst((r) => (r.scenario === s ? r.recoveryMs : null))}`),
    `  completion (fault → every member final):          worst ${worst((r) => r.completionMs)}`,
    `  run records: ${sum((r) => r.runs)} (${(sum((r) => r.runs) / Math.max(1, all.length)).toFixed(1)} per repetition, zero-call reruns included)`,
    broken === 0 ? '  every invariant held' : `  INVARIANTS BROKEN: ${broken}`,
  ];
  console.log(lines.join('\n'));
  process.exitCode = broken === 0 && all.length === runs ? 0 : 1;
}
