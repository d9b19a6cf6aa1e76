import type { Game } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { DeferredRun, Store } from '../store/types.ts';
import type { RunSummary } from './runSummary.ts';

/**
 * Retries runs that could not start because the shared lock (Redis) did not answer, or that stopped because they lost
 * their lock. Automatic runs fail closed — they wait rather than risk two processes running one code — so something
 * has to bring them back: this.
 *
 * Deferrals are kept in the store (not in memory), so a deferral survives a restart and any process sharing the
 * store can pick it up; a row is claimed atomically before a retry, so only one process retries it at a time. While
 * Redis is unreachable nothing is tried; once it answers, due rows run after a random delay (processes do not all
 * retry at the same instant), and each attempt that fails again waits twice as long (with jitter) up to a maximum.
 */
export interface DeferredRunRequest {
  guildId: string;
  game: Game;
  code: string;
  trigger: string;
  /** Only these members; null or absent for every member. */
  fids?: readonly string[] | null;
  /** Only these alliances (ids); null or absent for every alliance of the code's game in the server. */
  allianceIds?: readonly number[] | null;
  reason: string;
  /** When to try (epoch ms); default a short backoff (the lock may answer again soon). */
  nextAttemptAt?: number;
}

export interface DeferredRunScheduler {
  /** Records a deferral (merged with one already waiting for the same code). Never throws. */
  defer(request: DeferredRunRequest): Promise<void>;
  /** Starts retrying (long-running processes only: a one-shot CLI command records deferrals but leaves them to the bot). */
  start(): void;
  /** Looks for due rows now (for example when Redis answers again), after a small random delay. */
  wake(): void;
  list(): Promise<DeferredRun[]>;
  /**
   * Stops retrying and waits for retries under way (abort them first: the app's shutdown signal). Rows stay in the
   * store for the next start.
   */
  close(): Promise<void>;
}

/** The trigger of a retry; a deferral from a retry is handled by the scheduler itself, not recorded again. */
export const DEFERRED_TRIGGER = 'deferred';

export interface DeferredRunSchedulerOptions {
  store: Store;
  log: Logger;
  /** Starts the run (the engine's processAutoRedeem with trigger 'deferred'). */
  run: (deferred: DeferredRun) => Promise<RunSummary>;
  /** Whether retrying makes sense now (Redis answers). */
  canRun: () => boolean;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How often the store is looked at for rows other processes recorded. Default min(baseDelayMs, 1000). */
  pollMs?: number;
  random?: () => number;
}

/** Statuses after which the retry is done (whatever the outcome, it is no longer waiting for the lock). */
const RETRY_AGAIN: ReadonlySet<RunSummary['status']> = new Set(['deferred', 'duplicate', 'aborted']);

/** One scheduler's state, shared by its steps below. */
interface Scheduler {
  /** Store, logger, the run to start and the backoff settings the caller gave. */
  readonly options: DeferredRunSchedulerOptions;
  /** The jitter source (tests pass a fixed one). */
  readonly random: () => number;
  /** How often the store is looked at for rows other processes recorded. */
  readonly pollMs: number;
  /** A claimed row is not taken again by another process for this long (a retry normally ends well before). */
  readonly leaseMs: number;
  /** close() was called: nothing new is scheduled, deferred or retried. */
  closed: boolean;
  /** start() was called: only long-running processes poll and retry. */
  started: boolean;
  /** The next look at the store, if one is scheduled. */
  timer: NodeJS.Timeout | undefined;
  /** The look at the store under way: a timer firing meanwhile does not start a second one. */
  ticking: Promise<void> | undefined;
  /** Retries under way: close() waits for them. */
  readonly attempts: Set<Promise<void>>;
}

export function createDeferredRunScheduler(options: DeferredRunSchedulerOptions): DeferredRunScheduler {
  const random = options.random ?? Math.random;
  const scheduler: Scheduler = {
    options,
    random,
    pollMs: options.pollMs ?? Math.min(options.baseDelayMs, 1_000),
    leaseMs: Math.max(options.maxDelayMs, 60_000),
    closed: false,
    started: false,
    timer: undefined,
    ticking: undefined,
    attempts: new Set(),
  };
  return {
    defer: (request) => defer(scheduler, request),
    start() {
      if (scheduler.started || scheduler.closed) return;
      scheduler.started = true;
      schedule(scheduler, 0);
    },
    wake() {
      schedule(scheduler, Math.round(random() * Math.min(options.baseDelayMs, 1_000)));
    },
    list: () => options.store.deferredRuns.list(),
    async close() {
      scheduler.closed = true;
      if (scheduler.timer) clearTimeout(scheduler.timer);
      scheduler.timer = undefined;
      await scheduler.ticking;
      await Promise.allSettled(scheduler.attempts);
    },
  };
}

/** Exponential backoff with jitter: half to all of base·2^(n−1), capped. */
function backoff(scheduler: Scheduler, attempt: number): number {
  const { options } = scheduler;
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  return Math.round(ceiling * (0.5 + scheduler.random() * 0.5));
}

function schedule(scheduler: Scheduler, delayMs: number): void {
  if (scheduler.closed || !scheduler.started) return;
  if (scheduler.timer) clearTimeout(scheduler.timer);
  scheduler.timer = setTimeout(
    () => {
      scheduler.timer = undefined;
      scheduler.ticking ??= tick(scheduler).finally(() => (scheduler.ticking = undefined));
    },
    Math.max(0, delayMs),
  );
  // The scheduler alone never keeps the process alive (a CLI run ends; the bot has its own handles).
  scheduler.timer.unref();
}

async function tick(scheduler: Scheduler): Promise<void> {
  const { store, log } = scheduler.options;
  try {
    if (scheduler.closed || !scheduler.options.canRun()) return;
    const due = await store.deferredRuns.claimDue(Date.now(), scheduler.leaseMs, 50);
    for (const row of due) {
      const attempt = retry(scheduler, row)
        .catch((err: unknown) =>
          log.error(
            { event: EVENTS.runFailed, guildId: row.guildId, code: row.code, err },
            'deferred run: retry failed',
          ),
        )
        .finally(() => scheduler.attempts.delete(attempt));
      scheduler.attempts.add(attempt);
    }
  } catch (err) {
    log.error({ event: EVENTS.runFailed, err }, 'deferred runs: could not read the store; trying again shortly');
  } finally {
    schedule(scheduler, scheduler.pollMs);
  }
}

async function retry(scheduler: Scheduler, row: DeferredRun): Promise<void> {
  const { store, log } = scheduler.options;
  const fields = {
    guildId: row.guildId,
    game: row.game,
    code: row.code,
    originalTrigger: row.trigger,
    attempt: row.attempts + 1,
  };
  log.info(
    { event: EVENTS.deferredRetry, ...fields, deferredMs: Date.now() - row.deferredAt },
    'retrying a deferred run',
  );
  let summary: RunSummary;
  try {
    summary = await scheduler.options.run(row);
  } catch (err) {
    // The engine reports failures as a summary; a throw here is unexpected. Keep the row and try again later.
    await store.deferredRuns
      .reschedule(row, Date.now() + backoff(scheduler, row.attempts + 1), String(err))
      .catch(() => undefined);
    return;
  }
  const shutdown = scheduler.closed && summary.status === 'aborted';
  if (shutdown) return; // the lease runs out and the next start (or another process) retries it
  if (RETRY_AGAIN.has(summary.status)) {
    const delay = backoff(scheduler, row.attempts + 1);
    await store.deferredRuns.reschedule(row, Date.now() + delay, `${summary.status}: ${summary.message}`);
    log.info(
      { event: EVENTS.runDeferred, ...fields, status: summary.status, retryInMs: delay },
      'deferred run not done yet; retrying later',
    );
    return;
  }
  if (summary.retryAt !== null) {
    // Some members were left retry-exhausted: the same row comes back later (growing delays, the run decided when).
    await store.deferredRuns.reschedule(
      row,
      summary.retryAt,
      `retry-exhausted: ${summary.counts.retryExhausted} member(s)`,
    );
    log.info(
      { event: EVENTS.runDeferred, ...fields, status: summary.status, retryInMs: summary.retryAt - Date.now() },
      'deferred run left members for a later retry',
    );
    return;
  }
  const removed = await store.deferredRuns.remove(row, row.version);
  log.info(
    {
      event: EVENTS.deferredDone,
      ...fields,
      status: summary.status,
      runId: summary.runId,
      apiCalls: summary.apiCalls,
      newTriggerWaiting: !removed,
    },
    `deferred run done: ${summary.message}`,
  );
  // A trigger merged in meanwhile (more members) is due again at once.
  if (!removed) schedule(scheduler, 0);
}

async function defer(scheduler: Scheduler, request: DeferredRunRequest): Promise<void> {
  const { store, log } = scheduler.options;
  if (request.trigger === DEFERRED_TRIGGER || scheduler.closed) return;
  try {
    const row = await store.deferredRuns.defer({
      guildId: request.guildId,
      game: request.game,
      code: request.code,
      trigger: request.trigger,
      fids: request.fids && request.fids.length > 0 ? request.fids : null,
      allianceIds: request.allianceIds && request.allianceIds.length > 0 ? request.allianceIds : null,
      reason: request.reason,
      nextAttemptAt: request.nextAttemptAt ?? Date.now() + backoff(scheduler, 1),
    });
    log.info(
      {
        event: EVENTS.runDeferred,
        guildId: row.guildId,
        game: row.game,
        code: row.code,
        trigger: request.trigger,
        reason: request.reason,
        nextAttemptAt: row.nextAttemptAt,
      },
      'run recorded as deferred; it is retried once the shared lock answers',
    );
  } catch (err) {
    log.error(
      { event: EVENTS.runFailed, guildId: request.guildId, code: request.code, err },
      'could not record a deferred run',
    );
  }
}
