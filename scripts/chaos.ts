/**
 * `npm run chaos [-- --runs 100] [--seed 1] [--workers 3] [--members 24] [--faults kill,freeze]`: the multi-process
 * failure battery of docs/locking.md, against real giftbot processes (test/support/cluster/worker.ts), one
 * SQLite file, a throw-away redis-server and the game-API simulator.
 *
 * Each worker calls the game from its own loopback address (127.0.0.11, .12, …) and reaches Redis through its own TCP
 * proxy, so the simulator's call record says which process made each call. Each repetition takes a fresh alliance
 * and code, starts a run in one process (the holder) and, once it has made some calls, strikes with one fault kind
 * (they take turns: see chaosFaults.ts). Meanwhile every live process keeps triggering the code (as pollers and admins
 * would) until every member has a final result. Checked from ground truth (call record, ledger, answer journal and a
 * ledger audit trigger), per repetition:
 * - overlaps: two runs in different processes whose calls for the code overlap in time (0 expected);
 * - re-calls after a final answer: one per player by another process is the documented in-flight repeat after a
 *   crash or a lost lock (counted, allowed); any other repeat and any call after the result was recorded break it;
 * - stale writes accepted, lost answers (a SUCCESS neither ledger nor journal kept), members unfinished, 429s, and
 *   the busiest window of all processes together against the shared budget;
 * - a repetition aimed at the holder counts only when the holder was running the code when the fault struck.
 * Exit status 1 on any violation, on a crash or SQLITE_BUSY, or when a fault kind has no repetition that counted.
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/dev/simulator/prng.ts';
import { analyzeCalls, auditFences, maxInSlidingWindow } from '../test/support/cluster/clusterAnalysis.ts';
import {
  eventually,
  seedCluster,
  sleep,
  startCluster,
  waitForFinal,
  type Cluster,
} from '../test/support/cluster/clusterHarness.ts';
import { checkRepetition } from '../test/support/cluster/chaosChecks.ts';
import type { WorkerProcess } from '../test/support/cluster/workerProcess.ts';
import {
  AT_HOLDER,
  armBeforeStart,
  FAULTS,
  strike,
  type Fault,
  type FaultContext,
  type FaultDone,
} from './chaosFaults.ts';
import { printTable, violations, type Repetition } from './chaosReport.ts';

const TTL_MS = 1_000;
/** How long one step of a repetition may take before the battery gives up (a harness limit, not an invariant). */
const STEP_TIMEOUT_MS = 90_000;
const RATE_LIMIT = 40;
const RATE_WINDOW_MS = 1_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: String(FAULTS.length) },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '3' },
    members: { type: 'string', default: '24' },
    faults: { type: 'string', default: FAULTS.join(',') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    `usage: npm run chaos [-- --runs N] [--seed 1] [--workers 3] [--members 24] [--faults ${FAULTS.join(',')}]\n  --runs N: repetitions of EACH fault kind`,
  );
  process.exit(0);
}
const perFault = Number(values.runs);
const workersWanted = Number(values.workers);
const members = Number(values.members);
const faults = values.faults.split(',').map((f) => f.trim()) as Fault[];
const unknown = faults.filter((f) => !FAULTS.includes(f));
if (!(perFault >= 1) || !(workersWanted >= 2) || !(members >= 4) || unknown.length > 0) {
  console.error(
    `chaos: --runs ≥ 1, --workers ≥ 2, --members ≥ 4, --faults from ${FAULTS.join(',')}${unknown.length ? ` (unknown: ${unknown.join(',')})` : ''}`,
  );
  process.exit(2);
}
const random = seededRandom(Number(values.seed));
const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// Nothing may hang: a repetition has bounded waits, and the whole battery has a watchdog that kills every child.
const watchdogMs = perFault * faults.length * 120_000 + 120_000;
let cluster: Cluster | null = null;
const watchdog = setTimeout(() => {
  console.error(`chaos: FAILED: the battery did not finish within ${watchdogMs / 1000} s; killing its processes`);
  for (const worker of cluster?.workers ?? []) worker.child.kill('SIGKILL');
  process.exit(1);
}, watchdogMs);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const worker of cluster?.workers ?? []) worker.child.kill('SIGKILL');
    process.exit(130);
  });
}

cluster = await startCluster({
  workers: workersWanted,
  attributed: true,
  sim: {
    latencyMs: { min: 30, max: 120 },
    seed: Number(values.seed),
    rateLimit: { limit: RATE_LIMIT, windowMs: RATE_WINDOW_MS },
  },
  env: {
    LOCK_TTL_MS: String(TTL_MS),
    REDIS_COMMAND_TIMEOUT_MS: '300',
    REDEEM_CONCURRENCY: '4',
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_WINDOW_MS: String(RATE_WINDOW_MS),
    DEFERRED_RETRY_MS: '200',
    DEFERRED_RETRY_MAX_MS: '1000',
    LOG_LEVEL: 'info',
  },
});
const theCluster = cluster;
let spawned = workersWanted;
const killed = new Set<WorkerProcess>();
const paused = new Set<WorkerProcess>();
/** Replacements for killed workers still starting: awaited before the cluster closes, so none is left behind. */
const replacements: Promise<unknown>[] = [];
const live = (): WorkerProcess[] => theCluster.workers.filter((w) => w.alive && !paused.has(w) && !killed.has(w));

async function repetition(index: number, fault: Fault): Promise<Repetition> {
  const c = theCluster;
  const guildId = String(950_000_000_000_000_000n + BigInt(index));
  const code = `CHAOS${index}`;
  await seedCluster(c, { guildId, code, count: members, firstFid: 70_000_001 + index * 1_000 });
  const holder = pick(live());
  const holderAddress = c.addressOf(holder);
  const fired = new Set<string>();
  const fire = (worker: WorkerProcess): string => {
    const id = worker.fire({ guildId, code, trigger: 'auto' });
    fired.add(id);
    return id;
  };
  const context: FaultContext = {
    cluster: c,
    holder,
    code,
    guildId,
    ttlMs: TTL_MS,
    between,
    paused,
    onKilled(worker) {
      killed.add(worker);
      spawned += 1;
      replacements.push(
        c
          .spawn(`w${spawned}`)
          .catch((error: unknown) => console.error(`chaos: a replacement worker did not start: ${String(error)}`)),
      );
    },
  };
  const callsFor = (): number => c.sim.calls.filter((call) => call.cdk === code).length;
  const holderCalls = (): number => c.sim.calls.filter((call) => call.cdk === code && call.ip === holderAddress).length;

  const early = armBeforeStart(fault, context);
  const holderRun = fire(holder);
  let faultAt = Date.now();
  let done: FaultDone;
  let voidReason: string | null = null;
  let faultAfterCalls = 0;
  if (early) {
    done = await early;
  } else {
    faultAfterCalls = between(1, members - 2);
    // Generous: on a loaded machine (the battery beside a test suite) a holder can take long to reach its calls.
    await eventually(
      () => holderCalls() >= faultAfterCalls || undefined,
      STEP_TIMEOUT_MS,
      `${faultAfterCalls} calls by the holder`,
      5,
    ).catch((error: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${describeHolder(holder, holderRun)}`,
      );
    });
    const started = holder.messages.some((m) => m.type === 'started' && m.id === holderRun);
    const finished = holder.messages.some((m) => m.type === 'result' && m.id === holderRun);
    if (AT_HOLDER.has(fault) && (!started || finished))
      voidReason = 'the holder was not running the code when the fault struck';
    faultAt = Date.now();
    done = await strike(fault, context);
  }
  voidReason ??= done.voidReason;

  // Every live process keeps triggering until the code is done (a refusal while the lock is held, a takeover once free).
  let driving = true;
  const driver = (async () => {
    while (driving) {
      const others = live();
      if (others.length > 0) fire(pick(others));
      await sleep(between(150, 350));
    }
  })();
  let completionMs: number | null = null;
  try {
    await waitForFinal(c, code, members, STEP_TIMEOUT_MS);
    completionMs = Date.now() - faultAt;
  } catch {
    // reported as unfinished below
  }
  driving = false;
  await driver;
  // Let the faulted holder's run (if it lives) and any deferred retry finish before measuring.
  if (holder.alive) await holder.results(holderRun, 1, STEP_TIMEOUT_MS).catch(() => undefined);
  await eventually(
    async () => (await c.store.deferredRuns.list()).every((row) => row.guildId !== guildId) || undefined,
    15_000,
    'deferred rows',
  ).catch(() => undefined);

  done.undo?.();
  const ledger = await c.ledger(code);
  const runStarts = new Map<string, number[]>();
  for (const worker of c.workers) {
    const address = c.addressOf(worker);
    if (!address) continue;
    const starts = worker.messages
      .filter((m) => m.type === 'started' && m.id !== undefined && fired.has(m.id))
      .map((m) => m.receivedAt ?? 0);
    runStarts.set(
      address,
      starts.sort((a, b) => a - b),
    );
  }
  const killedAddresses = new Set([...killed].map((w) => c.addressOf(w)).filter((a): a is string => a !== undefined));
  const checks = checkRepetition({ calls: c.sim.calls, code, ledger, dbPath: c.dbPath, runStarts, killedAddresses });
  const mine = c.sim.calls.filter((call) => call.cdk === code);
  const firstAfter = mine.find((call) => call.at >= faultAt);
  return {
    fault,
    holder: `${holder.name} ${holderAddress ?? '?'}`,
    voidReason,
    faultAfterCalls,
    faultMs: done.faultMs,
    ...checks,
    // "After the result was recorded" compares the game's clock with the ledger's times, which a stepped process
    // writes from its own clock: not measurable in a clock-step repetition (its excess repeats still are).
    duplicatesAfterFinal: fault === 'clock-step' ? 0 : analyzeCalls(c.sim.calls, code, ledger).duplicatesAfterFinal,
    staleWritesAccepted: auditFences(c.dbPath, code).staleWritesAccepted,
    staleWritesRefused: c.workers.reduce(
      (n, w) => n + w.logs.filter((line) => line.event === 'redeem.stale_fence' && line.code === code).length,
      0,
    ),
    unfinished: members - ledger.filter((row) => ['success', 'already', 'failed'].includes(row.status)).length,
    busiestWindow: maxInSlidingWindow(mine, RATE_WINDOW_MS),
    recoveryMs: firstAfter && callsFor() > 0 ? firstAfter.at - faultAt : null,
    completionMs,
  };
}

const results: Repetition[] = [];
const started = performance.now();
let failure: unknown = null;
try {
  const total = perFault * faults.length;
  for (let i = 0; i < total; i += 1) {
    const fault = faults[i % faults.length]!;
    const result = await repetition(i + 1, fault);
    results.push(result);
    const broken = violations(result, RATE_LIMIT);
    process.stderr.write(
      `chaos ${String(i + 1).padStart(4)}/${total} ${fault.padEnd(13)} ${result.voidReason ? `VOID (${result.voidReason})` : `after ${String(result.faultAfterCalls).padStart(2)} calls`}` +
        `${result.faultMs ? ` (${result.faultMs} ms)` : ''}: ${result.calls} calls, repeats ${result.repeats}, recovery ${result.recoveryMs ?? '–'} ms, ` +
        `done after ${result.completionMs ?? '–'} ms${broken > 0 ? `  <-- ${broken} VIOLATION(S) ${JSON.stringify(result)}` : ''}\n`,
    );
  }
} catch (error) {
  failure = error;
  console.error(`chaos: FAILED: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  const crashes = theCluster.workers.filter((w) => !w.alive && !killed.has(w));
  for (const worker of crashes)
    console.error(
      `chaos: worker ${worker.name} crashed ${JSON.stringify(worker.exit)}:\n${worker.rawErrors.slice(-20).join('\n')}`,
    );
  const busy = theCluster.sqliteBusy();
  await Promise.allSettled(replacements);
  await theCluster.close().catch((error: unknown) => console.error(`chaos: closing the cluster: ${String(error)}`));
  const ok = printTable(results, faults, {
    header: `chaos: ${results.length} repetitions in ${((performance.now() - started) / 1000).toFixed(0)} s, seed ${values.seed}, ${workersWanted} processes, ${members} members, lock TTL ${TTL_MS} ms, budget ${RATE_LIMIT}/${RATE_WINDOW_MS} ms`,
    crashes: crashes.length,
    sqliteBusy: busy,
    rateLimit: RATE_LIMIT,
  });
  clearTimeout(watchdog);
  // Whatever a failed close left behind must not keep this process (and the caller) waiting.
  for (const worker of theCluster.workers) if (worker.alive) worker.child.kill('SIGKILL');
  process.exit(ok && failure === null && results.length === perFault * faults.length ? 0 : 1);
}

/** What the holder was doing, for a repetition that stalled: its messages about the run and its last log lines. */
function describeHolder(holder: WorkerProcess, runId: string): string {
  const messages = holder.messages.filter((m) => m.id === runId).map((m) => JSON.stringify(m));
  const logs = holder.logs.slice(-40).map((line) => JSON.stringify(line));
  return [
    `holder ${holder.name} (alive: ${holder.alive}), run ${runId}:`,
    ...messages,
    'last log lines:',
    ...logs,
    ...holder.rawErrors.slice(-10),
  ].join('\n');
}
