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

export function createDeferredRunScheduler(options: DeferredRunSchedulerOptions): DeferredRunScheduler {
  const { store, log } = options;
  const random = options.random ?? Math.random;
  const pollMs = options.pollMs ?? Math.min(options.baseDelayMs, 1_000);
  // A claimed row is not taken again by another process for this long (a retry normally ends well before).
  const leaseMs = Math.max(options.maxDelayMs, 60_000);
  let closed = false;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  const attempts = new Set<Promise<void>>();

  /** Exponential backoff with jitter: half to all of base·2^(n−1), capped. */
  const backoff = (attempt: number): number => {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
    return Math.round(ceiling * (0.5 + random() * 0.5));
  };

  function schedule(delayMs: number): void {
    if (closed || !started) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      ticking ??= tick().finally(() => (ticking = undefined));
    }, Math.max(0, delayMs));
    // The scheduler alone never keeps the process alive (a CLI run ends; the bot has its own handles).
    timer.unref();
  }

  async function tick(): Promise<void> {
    try {
      if (closed || !options.canRun()) return;
      const due = await store.deferredRuns.claimDue(Date.now(), leaseMs, 50);
      for (const row of due) {
        const attempt = retry(row)
          .catch((err: unknown) => log.error({ event: EVENTS.runFailed, guildId: row.guildId, code: row.code, err }, 'deferred run: retry failed'))
          .finally(() => attempts.delete(attempt));
        attempts.add(attempt);
      }
    } catch (err) {
      log.error({ event: EVENTS.runFailed, err }, 'deferred runs: could not read the store; trying again shortly');
    } finally {
      schedule(pollMs);
    }
  }

  async function retry(row: DeferredRun): Promise<void> {
    const fields = { guildId: row.guildId, game: row.game, code: row.code, originalTrigger: row.trigger, attempt: row.attempts + 1 };
    log.info({ event: EVENTS.deferredRetry, ...fields, deferredMs: Date.now() - row.deferredAt }, 'retrying a deferred run');
    let summary: RunSummary;
    try {
      summary = await options.run(row);
    } catch (err) {
      // The engine reports failures as a summary; a throw here is unexpected. Keep the row and try again later.
      await store.deferredRuns.reschedule(row, Date.now() + backoff(row.attempts + 1), String(err)).catch(() => undefined);
      return;
    }
    const shutdown = closed && summary.status === 'aborted';
    if (shutdown) return; // the lease runs out and the next start (or another process) retries it
    if (RETRY_AGAIN.has(summary.status)) {
      const delay = backoff(row.attempts + 1);
      await store.deferredRuns.reschedule(row, Date.now() + delay, `${summary.status}: ${summary.message}`);
      log.info({ event: EVENTS.runDeferred, ...fields, status: summary.status, retryInMs: delay }, 'deferred run not done yet; retrying later');
      return;
    }
    if (summary.retryAt !== null) {
      // Some members were left retry-exhausted: the same row comes back later (growing delays, the run decided when).
      await store.deferredRuns.reschedule(row, summary.retryAt, `retry-exhausted: ${summary.counts.retryExhausted} member(s)`);
      log.info({ event: EVENTS.runDeferred, ...fields, status: summary.status, retryInMs: summary.retryAt - Date.now() }, 'deferred run left members for a later retry');
      return;
    }
    const removed = await store.deferredRuns.remove(row, row.version);
    log.info(
      { event: EVENTS.deferredDone, ...fields, status: summary.status, runId: summary.runId, apiCalls: summary.apiCalls, newTriggerWaiting: !removed },
      `deferred run done: ${summary.message}`,
    );
    // A trigger merged in meanwhile (more members) is due again at once.
    if (!removed) schedule(0);
  }

  return {
    async defer(request) {
      if (request.trigger === DEFERRED_TRIGGER || closed) return;
      try {
        const row = await store.deferredRuns.defer({
          guildId: request.guildId,
          game: request.game,
          code: request.code,
          trigger: request.trigger,
          fids: request.fids && request.fids.length > 0 ? request.fids : null,
          reason: request.reason,
          nextAttemptAt: request.nextAttemptAt ?? Date.now() + backoff(1),
        });
        log.info(
          { event: EVENTS.runDeferred, guildId: row.guildId, game: row.game, code: row.code, trigger: request.trigger, reason: request.reason, nextAttemptAt: row.nextAttemptAt },
          'run recorded as deferred; it is retried once the shared lock answers',
        );
      } catch (err) {
        log.error({ event: EVENTS.runFailed, guildId: request.guildId, code: request.code, err }, 'could not record a deferred run');
      }
    },
    start() {
      if (started || closed) return;
      started = true;
      schedule(0);
    },
    wake() {
      schedule(Math.round(random() * Math.min(options.baseDelayMs, 1_000)));
    },
    list: () => store.deferredRuns.list(),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await ticking;
      await Promise.allSettled(attempts);
    },
  };
}
