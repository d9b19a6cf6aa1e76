import { deadCodeText, isFinalCodeStatus } from '../game/codeStatus.ts';
import { seedSpacing, type PacingDeps } from '../game/pacedCall.ts';
import type { Game } from '../game/games.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { runKey, type ActiveRun, type ActiveRuns } from '../locks/activeRuns.ts';
import type { LockHandle, RunLock } from '../locks/runLock.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../pacing/retryPolicy.ts';
import type { GuildRecord, Store } from '../store/types.ts';
import { createDeferredRunScheduler, DEFERRED_TRIGGER, type DeferredRunRequest, type DeferredRunScheduler } from './deferredRunScheduler.ts';
import { DEFAULT_EXHAUSTED_RETRY, exhaustedRetryDelayMs, type ExhaustedRetryPolicy } from './exhaustedRetry.ts';
import { createProbeGates } from './probeGate.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import { runHeld } from './run.ts';
import type { RunDeps } from './runContext.ts';
import { fanOutListeners, type RunListener } from './runListener.ts';
import { emptyCounts, type RunStatus, type RunSummary } from './runSummary.ts';

export type { RedeemOptions, RunTrigger } from './redeemOptions.ts';

/** How far back the journal is read to seed the per-player spacing at start (far more than any spacing). */
const SPACING_MEMORY_MS = 5 * 60_000;

export interface RedeemEngineDeps extends PacingDeps {
  store: Store;
  runLock: RunLock;
  activeRuns: ActiveRuns;
  /** Identifies this process in run records and lock tokens. */
  instanceId: string;
  /** Who watches every run (results-channel reporter, metrics), reruns and deferred runs included. */
  listeners?: readonly RunListener[];
  /** Calls in flight per run; the budget, not this, sets the pace. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** When members left retry-exhausted by an automatic run are tried again. */
  exhaustedRetry?: ExhaustedRetryPolicy;
  /** Stops every run (graceful shutdown): no new calls, in-flight ones finish and are recorded. */
  shutdownSignal?: AbortSignal;
  /** Runs deferred because the shared lock did not answer, or lost it: how they are retried. */
  deferred?: {
    /** Whether retrying makes sense now (Redis answers). */
    canRun: () => boolean;
    baseDelayMs: number;
    maxDelayMs: number;
  };
}

export interface RedeemEngine {
  /** `code` is normalised where it entered giftbot (a feed, a channel, a command, the CLI): see GiftCode. */
  processAutoRedeem(guildId: string, code: GiftCode, options: RedeemOptions): Promise<RunSummary>;
  /** Runs deferred because the shared lock (Redis) did not answer; retried once it does (after `start()`). */
  readonly deferredRuns: DeferredRunScheduler;
  /** Resolves when every run started so far (including reruns) has ended. */
  idle(): Promise<void>;
}

/**
 * processAutoRedeem: admission for one (guild, code). Normalise the code, refuse what cannot run (unknown guild,
 * dead code), take the in-process active set, then the cross-process lock; run (run.ts) and release in `finally`.
 * A second trigger is refused with a log line, or queued as a rerun when it carries members the run may not cover.
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
        await deferredRuns.defer({ guildId: request.guildId, game: request.game, code: request.code, trigger: request.trigger, fids: request.fids, reason: 'retry-exhausted', nextAttemptAt: at });
      }
      log.info({ event: EVENTS.retryScheduled, guildId: request.guildId, game: request.game, code: request.code, trigger: request.trigger, fids: request.fids, round: request.round, retryAt: new Date(at).toISOString() }, `${request.fids.length} member(s) will be retried automatically`);
      return at;
    },
  };
  const inFlight = new Set<Promise<unknown>>();
  const deferredRuns = createDeferredRunScheduler({
    store,
    log,
    // The run that first left members behind was round 1; each deferred attempt is one round later (a longer wait).
    run: (row) => engine.processAutoRedeem(row.guildId, row.code, { trigger: DEFERRED_TRIGGER, retryRound: row.attempts + 2, ...(row.fids ? { fids: row.fids } : {}) }),
    // Without Redis nothing is ever deferred by the lock; with it, retrying while it is down would only defer again.
    canRun: deps.deferred?.canRun ?? (() => true),
    baseDelayMs: deps.deferred?.baseDelayMs ?? 5_000,
    maxDelayMs: deps.deferred?.maxDelayMs ?? 300_000,
  });
  const admission: Admission = { deps, log, listener, deferredRuns };

  // Once per process, before the first run: the spacing learns each player's last call from the answer journal.
  let seeded: Promise<void> | undefined;
  const seedOnce = (): Promise<void> =>
    (seeded ??= store.journal.lastCalls(Date.now() - SPACING_MEMORY_MS).then(
      (calls) => seedSpacing(deps.spacing, calls),
      (err: unknown) => log.warn({ event: EVENTS.runFailed, err }, 'could not read the last calls per player; spacing starts empty'),
    ));

  async function admit(guildId: string, code: GiftCode, options: RedeemOptions): Promise<RunSummary> {
    await seedOnce();
    const guild = await store.guilds.get(guildId);
    if (!guild) return refuse(log, baseSummary(guildId, null, code, options.trigger), 'refused', `This server has no alliance set up yet (guild ${guildId}).`);
    const summary = baseSummary(guildId, guild.game, code, options.trigger);

    const known = await store.codes.get(guild.game, code);
    if (known && isFinalCodeStatus(known.status)) {
      const dead = { ...summary, codeVerdict: { kind: 'dead', status: known.status, errCode: known.validationErrCode, msg: known.validationMsg } } satisfies RunSummary;
      return refuse(log, dead, 'code-invalid', `${code} ${deadCodeText(known.status)}; nothing was sent to the game.`);
    }
    if (!known) await store.codes.add(guild.game, code, options.trigger);

    const key = runKey(guildId, guild.game, code);
    const active = await deps.activeRuns.tryEnter({ key, guildId, game: guild.game, code, trigger: options.trigger, startedAt: Date.now() });
    if (!active) return refuseDuplicate(admission, summary, key, options);

    const started = performance.now();
    let handle: LockHandle | null = null;
    try {
      const attempt = await lockFor(admission, guild, code, options, summary);
      if ('summary' in attempt) return attempt.summary;
      handle = attempt.handle;
      return await runHeld(runDeps, { guild, code, options, handle, active, instanceId: deps.instanceId, onLockLost: () => defer(admission, guild.game, summary, options, 'lock lost mid-run') }, summary);
    } catch (error) {
      log.error({ event: EVENTS.runFailed, guildId, code, trigger: options.trigger, err: error }, 'run failed');
      return { ...summary, status: 'failed', message: `The run for ${code} failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      if (handle) await handle.release().catch(() => undefined);
      const left = await deps.activeRuns.leave(key);
      if (handle) {
        log.info({ event: EVENTS.lockReleased, guildId, code, game: guild.game, runId: left?.runId, fence: left?.fence, heldMs: Math.round(performance.now() - started) }, 'lock released');
        listener.lockEvent('released');
      }
      if (left?.rerunRequested) void engine.processAutoRedeem(guildId, code, { trigger: 'rerun' }).catch(() => undefined);
    }
  }

  const engine: RedeemEngine = {
    processAutoRedeem(guildId, code, options) {
      const promise = admit(guildId, code, options);
      void promise.then(listener.runEnded, () => undefined);
      inFlight.add(promise);
      void promise.finally(() => inFlight.delete(promise));
      return promise;
    },
    deferredRuns,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled(inFlight);
    },
  };
  return engine;
}

/** What the admission steps outside the factory share. */
interface Admission {
  deps: RedeemEngineDeps;
  log: Logger;
  listener: Required<RunListener>;
  deferredRuns: DeferredRunScheduler;
}

function refuse(log: Logger, summary: RunSummary, status: RunStatus, message: string): RunSummary {
  log.warn({ event: EVENTS.runRefused, guildId: summary.guildId, code: summary.code, trigger: summary.trigger, status, reason: message }, 'run refused');
  return { ...summary, status, message };
}

function refuseDuplicate(a: Admission, summary: RunSummary, key: string, options: RedeemOptions): RunSummary {
  const { deps, log, listener } = a;
  const { guildId, code, game } = summary;
  const running: ActiveRun | undefined = deps.activeRuns.get(key);
  // A trigger for specific members (new ones) carries work the current run may not have seen: run once more after it.
  if (running && options.fids && options.fids.length > 0) {
    running.rerunRequested = true;
    log.info({ event: EVENTS.rerunQueued, guildId, code, trigger: options.trigger, runId: running.runId }, 'rerun queued after the active run');
  }
  log.warn(
    { event: EVENTS.duplicateSkipped, guildId, code, game, trigger: options.trigger, layer: 'local', activeTrigger: running?.trigger, runId: running?.runId },
    'duplicate trigger skipped: this code is already running for this guild',
  );
  if (game) listener.duplicateRefused({ game, layer: 'local' });
  return { ...summary, status: 'duplicate', runId: running?.runId ?? null, message: `${code} is already being redeemed for this alliance; no second run was started.` };
}

/** The cross-process lock: a handle, or the summary of a run that cannot start (busy elsewhere, or deferred). */
async function lockFor(a: Admission, guild: GuildRecord, code: string, options: RedeemOptions, summary: RunSummary): Promise<{ handle: LockHandle } | { summary: RunSummary }> {
  const { deps, log, listener } = a;
  const fields = { guildId: guild.id, code, trigger: options.trigger };
  const attempt = await deps.runLock.acquire({ guildId: guild.id, game: guild.game, code });
  if (attempt.status === 'acquired') return { handle: attempt.handle };
  if (attempt.status === 'busy') {
    log.warn({ event: EVENTS.duplicateSkipped, ...fields, game: guild.game, layer: 'redis' }, 'duplicate trigger skipped: another process holds the lock');
    listener.lockEvent('busy');
    listener.duplicateRefused({ game: guild.game, layer: 'redis' });
    return { summary: { ...summary, status: 'duplicate', message: `${code} is already being redeemed for this alliance by another bot process; no second run was started.` } };
  }
  listener.lockEvent('unavailable');
  if (!options.forceLocal) {
    log.warn({ event: EVENTS.runDeferred, ...fields, reason: attempt.reason }, 'run deferred: the shared lock cannot be reached');
    await defer(a, guild.game, summary, options, `lock unavailable: ${attempt.reason}`);
    return { summary: { ...summary, status: 'deferred', message: `The shared lock service cannot be reached (${attempt.reason}); the run for ${code} waits until it answers.` } };
  }
  log.warn({ event: EVENTS.lockUnavailable, ...fields, reason: attempt.reason }, 'lock service unreachable: running on the local lock as the admin asked');
  const local = new AbortController();
  return { handle: { signal: local.signal, isHeld: () => !local.signal.aborted, release: async () => local.abort() } };
}

/** Recorded before the caller hears 'deferred', and retried later by the scheduler. */
function defer(a: Admission, game: Game, summary: RunSummary, options: RedeemOptions, reason: string): Promise<void> {
  const request: DeferredRunRequest = { guildId: summary.guildId, game, code: summary.code, trigger: options.trigger, fids: options.fids ?? null, reason };
  return a.deferredRuns.defer(request);
}

function baseSummary(guildId: string, game: Game | null, code: string, trigger: string): RunSummary {
  return { status: 'refused', guildId, game, code, trigger, runId: null, fence: null, counts: emptyCounts(), byReason: {}, members: [], apiCalls: 0, rateLimited: 0, answersNotRecorded: 0, durationMs: 0, retryAt: null, message: '', codeVerdict: null };
}
