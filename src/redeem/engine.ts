import { seedSpacing } from '../game/pacedCall.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { EVENTS } from '../log/events.ts';
import { DEFAULT_RETRY_POLICY } from '../pacing/retryPolicy.ts';
import { admit, type Admission } from './admission.ts';
import { createDeferredRunScheduler, DEFERRED_TRIGGER, type DeferredRunScheduler } from './deferredRunScheduler.ts';
import { DEFAULT_EXHAUSTED_RETRY, exhaustedRetryDelayMs, isAutomaticTrigger } from './exhaustedRetry.ts';
import { createProbeGates } from './probeGate.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import type { RunDeps } from './runContext.ts';
import { fanOutListeners } from './runListener.ts';
import type { RunSummary } from './runSummary.ts';
import type { RedeemEngineDeps } from './engineDeps.ts';

export type { RedeemOptions, RunTrigger } from './redeemOptions.ts';
export type { RedeemEngineDeps } from './engineDeps.ts';

/** How far back the journal is read to seed the per-player spacing at start (far more than any spacing). */
const SPACING_MEMORY_MS = 5 * 60_000;

export interface RedeemEngine {
  /** `code` is normalised where it entered giftbot (a feed, a channel, a command, the CLI): see GiftCode. */
  processAutoRedeem(guildId: string, code: GiftCode, options: RedeemOptions): Promise<RunSummary>;
  /** Runs deferred because the shared lock (Redis) did not answer; retried once it does (after `start()`). */
  readonly deferredRuns: DeferredRunScheduler;
  /** Resolves when every run started so far (including reruns) has ended. */
  idle(): Promise<void>;
  /**
   * The bot was removed from the server: its automatic runs stop at their next member and new ones are refused until
   * `serverJoined`; an admin's runs (CLI) still work, and its data is kept. Returns how many runs were stopped.
   */
  serverLeft(guildId: string): number;
  serverJoined(guildId: string): void;
}

/**
 * The engine: processAutoRedeem (admission.ts, then run.ts) for every trigger, with the parts all runs of the process
 * share — the run listeners, the probe gates, the deferred-run scheduler — built once here.
 */
export function createRedeemEngine(deps: RedeemEngineDeps): RedeemEngine {
  const { store, log } = deps;
  const listener = fanOutListeners(deps.listeners ?? [], log);
  const runDeps: RunDeps = {
    client: deps.client,
    budgetFor: deps.budgetFor,
    spacing: deps.spacing,
    log,
    store,
    listener,
    probeGates: createProbeGates(),
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
    concurrency: deps.concurrency ?? 8,
    shutdownSignal: deps.shutdownSignal,
    retryExhausted: async (request) => {
      const at = Date.now() + exhaustedRetryDelayMs(deps.exhaustedRetry ?? DEFAULT_EXHAUSTED_RETRY, request.round);
      // A deferred run's own row is rescheduled by the scheduler when it sees retryAt; others record a new row.
      if (request.trigger !== DEFERRED_TRIGGER) {
        await deferredRuns.defer({
          guildId: request.guildId,
          game: request.game,
          code: request.code,
          trigger: request.trigger,
          fids: request.fids,
          // The members are named: wherever they are listed (of the code's game) when the retry runs.
          allianceIds: null,
          reason: 'retry-exhausted',
          nextAttemptAt: at,
        });
      }
      log.info(
        {
          event: EVENTS.retryScheduled,
          guildId: request.guildId,
          game: request.game,
          code: request.code,
          trigger: request.trigger,
          fids: request.fids,
          round: request.round,
          retryAt: new Date(at).toISOString(),
        },
        `${request.fids.length} member(s) will be retried automatically`,
      );
      return at;
    },
  };
  const inFlight = new Set<Promise<unknown>>();
  const departed = new Set<string>();
  const deferredRuns = createDeferredRunScheduler({
    store,
    log,
    // The run that first left members behind was round 1; each deferred attempt is one round later (a longer wait).
    run: (row) =>
      engine.processAutoRedeem(row.guildId, row.code, {
        trigger: DEFERRED_TRIGGER,
        retryRound: row.attempts + 2,
        game: row.game,
        ...(row.fids ? { fids: row.fids } : {}),
        ...(row.allianceIds ? { allianceIds: row.allianceIds } : {}),
      }),
    // Without Redis nothing is ever deferred by the lock; with it, retrying while it is down would only defer again.
    canRun: deps.deferred?.canRun ?? (() => true),
    baseDelayMs: deps.deferred?.baseDelayMs ?? 5_000,
    maxDelayMs: deps.deferred?.maxDelayMs ?? 300_000,
  });
  // Once per process, before the first run: the spacing learns each player's last call from the answer journal.
  let seeded: Promise<void> | undefined;
  const admission: Admission = {
    deps,
    log,
    listener,
    deferredRuns,
    runDeps,
    departed,
    seedOnce: () =>
      (seeded ??= store.journal.lastCalls(Date.now() - SPACING_MEMORY_MS).then(
        (calls) => seedSpacing(deps.spacing, calls),
        (err: unknown) =>
          log.warn({ event: EVENTS.runFailed, err }, 'could not read the last calls per player; spacing starts empty'),
      )),
    rerun: (guildId, code, game, allianceIds) =>
      engine.processAutoRedeem(guildId, code, { trigger: 'rerun', game, allianceIds }),
  };

  const engine: RedeemEngine = {
    processAutoRedeem(guildId, code, options) {
      const promise = admit(admission, guildId, code, options);
      void promise.then(listener.runEnded, () => undefined);
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
      return promise;
    },
    deferredRuns,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled(inFlight);
    },
    serverLeft(guildId) {
      departed.add(guildId);
      const stopped = deps.activeRuns
        .list()
        .filter((run) => run.guildId === guildId && isAutomaticTrigger(run.trigger));
      for (const run of stopped) run.stopper.abort(new Error('server-left'));
      return stopped.length;
    },
    serverJoined(guildId) {
      departed.delete(guildId);
    },
  };
  return engine;
}
