/**
 * A bot process under test, started by the bench with an IPC channel: giftbot's real engine (createCore, the SQLite
 * store in a temp file, its own rate budget) or the baseline's fixed pacing. It sets up, says ready, waits for go,
 * runs every alliance at once, and reports its own timings, peak RSS and event-loop delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Core } from '../src/core.ts';
import { createCore } from '../src/runtime.ts';
import { loadConfig } from '../src/config/config.ts';
import { createCodeIntake } from '../src/codes/codeIntake.ts';
import { createGiftCodeClient } from '../src/game/giftCodeClient.ts';
import { createLogger } from '../src/log/logger.ts';
import { seededRandom } from '../src/dev/simulator/prng.ts';
import { runBaseline, type BaselineMember } from './baselineBot.ts';
import type { AllianceTiming, BenchMessage, WorkerMessage, WorkerResult, WorkerSetup } from './protocol.ts';
import { giftCode } from '../src/game/giftCode.ts';

const GAME = 'wos' as const;

/** Sends to the bench; resolves (never rejects) also when the bench is gone. */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, undefined, () => resolve());
  });
}

// The bench went away (it failed, or was killed): nobody waits for this process's figures any more.
process.on('disconnect', () => {
  if (!finishing) process.exit(process.exitCode ?? 1);
});
let finishing = false;

const rssMb = () => Math.round((process.memoryUsage.rss() / 1024 / 1024) * 10) / 10;
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

function nextMessage(): Promise<BenchMessage> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as BenchMessage)));
}

interface Prepared {
  run(): Promise<Omit<WorkerResult, 'type' | 'peakRssMb' | 'eventLoopP99Ms'>>;
}

async function prepareGiftbot(setup: WorkerSetup): Promise<Prepared | { unsupported: string }> {
  const loaded = loadConfig({ ...setup.env, LOG_FORMAT: 'json' });
  if (!loaded.ok) throw new Error(`bench config: ${loaded.problems.join('; ')}`);
  const log = createLogger({
    level: 'info',
    destination: pino.destination({ dest: setup.logPath, sync: true, mkdir: true }),
  });
  const app: Core = createCore({ config: loaded.config, log });
  // As the bot does at start-up: with REDIS_URL, wait (briefly) until the shared lock and budget answer.
  await app.start();
  if (setup.env.REDIS_URL && !app.budgetFor(GAME).snapshot().shared) {
    await app.close();
    return {
      unsupported:
        'not measured: needs REDIS wiring (with REDIS_URL set, createCore still builds a per-process budget)',
    };
  }
  for (const alliance of setup.alliances) {
    const added = await app.store.alliances.add({
      guildId: alliance.guildId,
      name: 'bench',
      game: GAME,
      defaultState: alliance.state,
      autoRedeem: true,
    });
    await app.store.members.addMany(
      added.created ? added.alliance.id : added.existing.id,
      alliance.fids.map((fid) => ({ fid, state: alliance.state, name: `bench ${fid}` })),
    );
  }
  if (setup.via === 'intake') return intakeRun(app, setup);
  return {
    async run() {
      const started = performance.now();
      const timings = await Promise.all(
        setup.alliances.map(async (alliance): Promise<{ timing: AllianceTiming; apiCalls: number }> => {
          let firstSuccessMs: number | null = null;
          const summary = await app.engine.processAutoRedeem(alliance.guildId, giftCode(setup.code), {
            trigger: 'bench',
            onProgress: (progress) => {
              if (firstSuccessMs === null && progress.success > 0) firstSuccessMs = performance.now() - started;
            },
          });
          const { counts } = summary;
          const timing: AllianceTiming = {
            guildId: alliance.guildId,
            firstSuccessMs,
            finishedMs: performance.now() - started,
            success: counts.success,
            unfinished: counts.total - counts.success - counts.already - counts.failed - counts.skipped,
            status: summary.status,
          };
          return { timing, apiCalls: summary.apiCalls };
        }),
      );
      const wallMs = performance.now() - started;
      await app.close();
      return { wallMs, alliances: timings.map((t) => t.timing), apiCalls: timings.reduce((n, t) => n + t.apiCalls, 0) };
    },
  };
}

/** A new code as production hears of it: code discovery's intake validates it once, then fans out. */
function intakeRun(app: Core, setup: WorkerSetup): Prepared {
  const intake = createCodeIntake(app);
  return {
    async run() {
      const started = performance.now();
      const submitted = await intake.submit({ code: giftCode(setup.code), game: GAME, source: 'bench' });
      if (submitted.kind !== 'accepted') throw new Error(`code intake did not take the code: ${submitted.kind}`);
      const report = await submitted.done;
      const wallMs = performance.now() - started;
      await app.close();
      return {
        wallMs,
        // The validation call is not in any run's count; the simulator's record is the figure the bench reports.
        apiCalls: report.runs.reduce((n, run) => n + run.apiCalls, 0),
        alliances: setup.alliances.map((alliance) => {
          const run = report.runs.find((r) => r.guildId === alliance.guildId);
          const counts = run?.counts;
          return {
            guildId: alliance.guildId,
            firstSuccessMs: null,
            finishedMs: wallMs,
            success: counts?.success ?? 0,
            unfinished: counts
              ? counts.total - counts.success - counts.already - counts.failed - counts.skipped
              : alliance.fids.length,
            status: run?.status ?? `not run (${report.outcome})`,
          };
        }),
      };
    },
  };
}

function prepareBaseline(setup: WorkerSetup): Prepared {
  const client = createGiftCodeClient({
    apiBases: { wos: setup.env.WOS_API_BASE!, kingshot: setup.env.KINGSHOT_API_BASE! },
    connectTimeoutMs: Number(setup.env.API_CONNECT_TIMEOUT_MS ?? 10_000),
    readTimeoutMs: Number(setup.env.API_READ_TIMEOUT_MS ?? 20_000),
  });
  const members: BaselineMember[] = setup.alliances.flatMap((a) =>
    a.fids.map((fid) => ({ guildId: a.guildId, fid, kid: a.state })),
  );
  return {
    async run() {
      const started = performance.now();
      const first = new Map<string, number>();
      const last = new Map<string, number>();
      const success = new Map<string, number>();
      const result = await runBaseline({
        client,
        game: GAME,
        code: setup.code,
        members,
        pauseMs: setup.profile.baselinePauseMs,
        requeueMs: setup.profile.baselineRequeueMs,
        random: seededRandom(setup.seed),
        onFinal(member, outcome) {
          const at = performance.now() - started;
          last.set(member.guildId, at);
          if (outcome === 'success') {
            success.set(member.guildId, (success.get(member.guildId) ?? 0) + 1);
            if (!first.has(member.guildId)) first.set(member.guildId, at);
          }
        },
      });
      const wallMs = performance.now() - started;
      await client.close();
      const unfinished = new Map<string, number>();
      for (const member of result.unfinished) unfinished.set(member.guildId, (unfinished.get(member.guildId) ?? 0) + 1);
      return {
        wallMs,
        apiCalls: result.apiCalls,
        alliances: setup.alliances.map((a) => ({
          guildId: a.guildId,
          firstSuccessMs: first.get(a.guildId) ?? null,
          // An alliance with members left over is done only when the whole run gives up.
          finishedMs: unfinished.has(a.guildId) ? wallMs : (last.get(a.guildId) ?? wallMs),
          success: success.get(a.guildId) ?? 0,
          unfinished: unfinished.get(a.guildId) ?? 0,
          status: unfinished.has(a.guildId) ? 'incomplete' : 'completed',
        })),
      };
    },
  };
}

async function main(): Promise<void> {
  const setup = (await nextMessage()) as WorkerSetup;
  const setupStarted = performance.now();
  const prepared = setup.engine === 'baseline' ? prepareBaseline(setup) : await prepareGiftbot(setup);
  const setupMs = performance.now() - setupStarted;
  if ('unsupported' in prepared) {
    await send({ type: 'unsupported', reason: prepared.unsupported });
    return;
  }
  await send({ type: 'ready', rssMb: rssMb(), setupMs });
  await nextMessage();

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const outcome = await prepared.run();
  delay.disable();
  await send({
    type: 'result',
    ...outcome,
    peakRssMb: peakRssMb(),
    eventLoopP99Ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
  });
}

main()
  .catch(async (error: unknown) => {
    await send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  })
  .finally(() => {
    finishing = true;
    if (process.connected) process.disconnect();
  });
