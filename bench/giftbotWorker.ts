/**
 * giftbot in a bench bot process: the real engine wired as the bot wires it (createCore with the store openStore
 * opens — the SQLite file, or PostgreSQL with DATABASE_URL — its own or the shared rate budget), then processAutoRedeem
 * for every alliance at once, or the code submitted to code discovery's intake.
 */
import { pino } from 'pino';
import type { Core } from '../src/core.ts';
import { createCore } from '../src/runtime.ts';
import { loadConfig } from '../src/config/config.ts';
import { createCodeIntake } from '../src/codes/codeIntake.ts';
import { createLogger } from '../src/log/logger.ts';
import { giftCode } from '../src/game/giftCode.ts';
import { openBenchStore, seedBenchAlliances, timeLedger, type LedgerTimings } from './benchStore.ts';
import { prefillLedger } from './ledgerPrefill.ts';
import type { Prepared } from './prepared.ts';
import type { AllianceTiming, LedgerFigures, Percentiles, WorkerSetup } from './protocol.ts';

const GAME = 'wos' as const;

export async function prepareGiftbot(setup: WorkerSetup): Promise<Prepared | { unsupported: string }> {
  const loaded = loadConfig({ ...setup.env, LOG_FORMAT: 'json' });
  if (!loaded.ok) throw new Error(`bench config: ${loaded.problems.join('; ')}`);
  const config = loaded.config;
  const log = createLogger({
    level: 'info',
    destination: pino.destination({ dest: setup.logPath, sync: true, mkdir: true }),
  });
  const opened = await openBenchStore(config, log);
  const prefill = setup.scale
    ? { rows: setup.scale.prefillLedgerRows, ms: await prefillLedger(config, setup.scale.prefillLedgerRows) }
    : null;
  const timed = setup.scale ? timeLedger(opened) : null;
  const store = timed?.store ?? opened;
  const timings = timed?.timings ?? null;
  const app: Core = createCore({ config, log, store });
  // As the bot does at start-up: with REDIS_URL, wait (briefly) until the shared lock and budget answer.
  await app.start();
  if (setup.env.REDIS_URL && !app.budgetFor(GAME).snapshot().shared) {
    await app.close();
    return {
      unsupported:
        'not measured: needs REDIS wiring (with REDIS_URL set, createCore still builds a per-process budget)',
    };
  }
  await seedBenchAlliances(store, GAME, setup.alliances);
  if (setup.via === 'intake') return intakeRun(app, setup);
  return {
    async run() {
      const started = performance.now();
      const runs = await Promise.all(
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
      return {
        wallMs,
        alliances: runs.map((t) => t.timing),
        apiCalls: runs.reduce((n, t) => n + t.apiCalls, 0),
        ledger: timings && prefill ? ledgerFigures(timings, prefill) : null,
      };
    },
  };
}

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)), samples: sorted.length };
}

function ledgerFigures(timings: LedgerTimings, prefill: { rows: number; ms: number }): LedgerFigures {
  return {
    claimRecordMs: percentiles(timings.claimRecordMs),
    claimMs: percentiles(timings.claimMs),
    recordMs: percentiles(timings.recordMs),
    prefillRows: prefill.rows,
    prefillMs: Math.round(prefill.ms),
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
        ledger: null,
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
