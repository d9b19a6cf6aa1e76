import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGameApiSimulator, type GameApiSimulator } from '../src/dev/simulator/gameApiSimulator.ts';
import { startRedisServer, type TestRedisServer } from '../test/support/redisServer.ts';
import { achievedRate, egressRates, fairness, type EgressFigures, type Fairness, type RateMeasure } from './metrics.ts';
import type { SimulatorCall } from '../src/dev/simulator/gameApiSimulator.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.ts';
import type { AllianceSeed, LedgerFigures, WorkerMessage, WorkerResult } from './protocol.ts';
import { WorkerProcess } from './workerProcess.ts';
import type { Engine, Scenario } from './scenarios.ts';
import { budgetPerMinute, windowLabel, type TimeProfile } from './timeProfile.ts';

const GAME = 'wos' as const;
const STATE = 245;

export interface BudgetFigures {
  limit: number;
  windowMs: number;
  /** "30 per 3 s" */
  window: string;
  /** What the bench ran: wall-clock requests per minute. */
  perMinute: number;
  /** Real seconds per bench second (20 for quick runs). */
  speedUp: number;
  /** The real budget this stands for: perMinute ÷ speedUp. */
  realPerMinute: number;
}

export interface RowResult {
  id: string;
  number: number;
  title: string;
  engine: Engine;
  /** How giftbot heard of the code (see WorkerSetup.via). */
  via: 'direct' | 'intake';
  processes: number;
  alliances: number;
  /** Member-codes to redeem (members × this one code). */
  members: number;
  budget: BudgetFigures;
  /** Null when not measured. */
  wallMs: number | null;
  /** wallMs × speedUp: what the run would take on the real clock. */
  realWallMs: number | null;
  rate: RateMeasure | null;
  /** HTTP 429 answers received. */
  rateLimited: number | null;
  /** Every gift_code request for the code, refused ones included. */
  apiCalls: number | null;
  callsPerMemberCode: number | null;
  /** Members the simulator says got the code. */
  redeemed: number | null;
  peakRssMb: number | null;
  eventLoopP99Ms: number | null;
  fairness: Fairness | null;
  /** Why the row has no figures. */
  notMeasured: string | null;
  /** giftbot's store in this row. */
  store: 'sqlite' | 'postgres';
  /** Rows with EGRESS_ADDRESS: each address's calls and rate ÷ its own budget (`rate` is then the combined one). */
  egress: EgressFigures[] | null;
  /** CPU the bot processes spent from go to the end ÷ API calls, in ms (the engine's overhead per call). */
  cpuMsPerCall: number | null;
  /** Scale rows: claim and record latencies with the pre-filled ledger. */
  ledger: LedgerFigures | null;
  /** How the alliances' runs ended (e.g. { completed: 998, failed: 2 }); a failed run's reason is in its bot log. */
  runOutcomes: Record<string, number> | null;
}

export function budgetFigures(profile: TimeProfile): BudgetFigures {
  const perMinute = budgetPerMinute(profile);
  return {
    limit: profile.limit,
    windowMs: profile.windowMs,
    window: windowLabel(profile),
    perMinute,
    speedUp: profile.speedUp,
    realPerMinute: perMinute / profile.speedUp,
  };
}

function emptyRow(scenario: Scenario, notMeasured: string): RowResult {
  return {
    id: scenario.id,
    number: scenario.number,
    title: scenario.title,
    engine: scenario.engine,
    via: scenario.via,
    processes: scenario.processes,
    alliances: scenario.alliances,
    members: scenario.alliances * scenario.membersPerAlliance,
    budget: budgetFigures(scenario.profile),
    wallMs: null,
    realWallMs: null,
    rate: null,
    rateLimited: null,
    apiCalls: null,
    callsPerMemberCode: null,
    redeemed: null,
    peakRssMb: null,
    eventLoopP99Ms: null,
    fairness: null,
    notMeasured,
    store: scenario.store,
    egress: null,
    cpuMsPerCall: null,
    ledger: null,
    runOutcomes: null,
  };
}

export function seedAlliances(count: number, membersEach: number): AllianceSeed[] {
  return Array.from({ length: count }, (_, a) => ({
    guildId: `91000000000000${String(a + 1).padStart(4, '0')}`,
    state: STATE,
    fids: Array.from({ length: membersEach }, (_, i) => String(60_000_000 + a * 1_000 + i)),
  }));
}

function expectMessage<T extends WorkerMessage['type']>(
  message: WorkerMessage,
  type: T,
): Extract<WorkerMessage, { type: T }> {
  if (message.type === type) return message as Extract<WorkerMessage, { type: T }>;
  if (message.type === 'failed') throw new Error(message.error);
  throw new Error(`bot process answered ${message.type}, expected ${type}`);
}

function botEnv(
  scenario: Scenario,
  sim: GameApiSimulator,
  dir: string,
  redisUrl: string | null,
  postgresUrl: string | null,
  index: number,
): Record<string, string> {
  const p = scenario.profile;
  const egress = scenario.egress?.[index];
  return {
    DATABASE_PATH: join(dir, 'giftbot.sqlite'),
    // The production pool size for one bot; 4 per process when 4 share the server (as the cluster tests do).
    ...(postgresUrl ? { DATABASE_URL: postgresUrl, PG_POOL_MAX: scenario.processes > 1 ? '4' : '10' } : {}),
    ...(egress
      ? {
          EGRESS_ADDRESS: egress,
          EXPECTED_PROCESSES: String(scenario.egress!.filter((address) => address === egress).length),
        }
      : {}),
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    RATE_LIMIT_PER_MINUTE: String(p.limit),
    RATE_LIMIT_WINDOW_MS: String(Math.round(p.windowMs)),
    PLAYER_SPACING_MS: String(Math.round(p.botPlayerSpacingMs)),
    LOG_LEVEL: 'info',
    INSTANCE_ID: `bench-${index + 1}`,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...scenario.env,
  };
}

/** Runs one row: a fresh simulator and store, the bot process(es), and the figures measured at the simulator. */
export async function runScenario(
  scenario: Scenario,
  { code = 'BENCH2026', dumpCalls, keep = false }: { code?: string; dumpCalls?: string; keep?: boolean } = {},
): Promise<RowResult> {
  const p = scenario.profile;
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-bench-'));
  const sim = await startGameApiSimulator({
    rateLimit: { limit: p.limit, windowMs: p.windowMs },
    playerSpacingMs: p.simPlayerSpacingMs,
    latencyMs: p.latencyMs,
    seed: 7,
  });
  let redis: TestRedisServer | null = null;
  let postgres: TestDatabase | null = null;
  const workers: WorkerProcess[] = [];
  try {
    const alliances = seedAlliances(scenario.alliances, scenario.membersPerAlliance);
    for (const alliance of alliances)
      sim.addPlayers(
        GAME,
        alliance.fids.map((fid) => ({ fid, kid: alliance.state })),
      );
    sim.addCode(GAME, code, { status: scenario.codeStatus });
    scenario.faults.forEach((fault, i) =>
      sim.injectFault({ kind: fault.kind, probability: fault.probability, seed: 11 + i }),
    );
    if (scenario.redis && scenario.engine === 'giftbot') redis = await startRedisServer();
    // A database of the row's own on the local server, dropped after it (as the store tests do).
    if (scenario.store === 'postgres' && scenario.engine === 'giftbot') postgres = await createTestDatabase();

    // Alliances dealt round-robin over the processes.
    const shares = Array.from({ length: scenario.processes }, (_, i) =>
      alliances.filter((_, a) => a % scenario.processes === i),
    );
    // A scale row pre-fills a million ledger rows and seeds 100,000 members first, then makes 100,000 calls.
    const readyTimeout = scenario.scale ? 30 * 60_000 : 60_000;
    const rounds = Math.ceil((scenario.alliances * scenario.membersPerAlliance) / p.limit);
    const runTimeout = scenario.scale ? 90 * 60_000 : 60_000 + 20 * (rounds + 1) * p.windowMs;
    for (const [i, share] of shares.entries()) {
      const worker = new WorkerProcess(join(dir, `bot-${i + 1}.log`));
      workers.push(worker);
      worker.send({
        type: 'setup',
        engine: scenario.engine,
        profile: p,
        env: botEnv(scenario, sim, dir, redis?.url ?? null, postgres?.url ?? null, i),
        alliances: share,
        code,
        via: scenario.via,
        seed: 101 + i,
        logPath: worker.logPath,
        scale: scenario.scale,
      });
    }
    for (const worker of workers) {
      const message = await worker.next(readyTimeout);
      if (message.type === 'unsupported') return emptyRow(scenario, message.reason);
      expectMessage(message, 'ready');
    }

    sim.resetCalls();
    for (const worker of workers) worker.send({ type: 'go' });
    const results: WorkerResult[] = [];
    for (const worker of workers) results.push(expectMessage(await worker.next(runTimeout), 'result'));

    const calls = sim.calls.filter((call) => call.cdk === code);
    // For a post-mortem: every call the simulator saw, with its arrival time and answer.
    if (dumpCalls)
      writeFileSync(
        dumpCalls,
        `${JSON.stringify(calls.map(({ atMono, ip, fid, httpStatus, errCode, counted, fault }) => ({ atMono, ip, fid, httpStatus, errCode, counted, fault })))}\n`,
      );
    return measureRow(scenario, calls, sim.successes(GAME, code).length, results);
  } finally {
    // Every clean-up runs whatever the others do: a left-over server or process would keep the bench from exiting.
    await Promise.allSettled(workers.map((worker) => worker.stop()));
    await sim.close().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    await postgres
      ?.drop()
      .catch((error: unknown) => process.stderr.write(`(could not drop ${postgres?.name}: ${String(error)}) `));
    if (keep) process.stderr.write(`(bot logs and database kept in ${dir}) `);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The row's figures: what the simulator saw of the code's calls, and what the bot processes measured themselves. */
function measureRow(
  scenario: Scenario,
  calls: readonly SimulatorCall[],
  redeemed: number,
  results: readonly WorkerResult[],
): RowResult {
  const p = scenario.profile;
  const members = scenario.alliances * scenario.membersPerAlliance;
  const wallMs = Math.max(...results.map((r) => r.wallMs));
  const egress = scenario.egress ? egressRates(calls, [...new Set(scenario.egress)], p.limit, p.windowMs) : null;
  return {
    ...emptyRow(scenario, ''),
    notMeasured: null,
    wallMs,
    realWallMs: wallMs * p.speedUp,
    // A scale row's budget is never the limit: a rate against it would say nothing.
    rate: scenario.scale ? null : egress ? egress.combined : achievedRate(calls, p.limit, p.windowMs),
    rateLimited: calls.filter((call) => call.httpStatus === 429).length,
    apiCalls: calls.length,
    callsPerMemberCode: calls.length / members,
    redeemed,
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    eventLoopP99Ms: Math.max(...results.map((r) => r.eventLoopP99Ms)),
    fairness:
      scenario.alliances > 1 && scenario.codeStatus === 'valid' ? fairness(results.flatMap((r) => r.alliances)) : null,
    egress: egress?.perAddress ?? null,
    cpuMsPerCall: calls.length > 0 ? results.reduce((n, r) => n + r.cpuMs, 0) / calls.length : null,
    ledger: results.find((r) => r.ledger)?.ledger ?? null,
    runOutcomes: countBy(results.flatMap((r) => r.alliances.map((a) => a.status))),
  };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
