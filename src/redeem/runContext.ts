import type { Game } from '../game/games.ts';
import type { PacingDeps } from '../game/pacedCall.ts';
import { deadCodeClassification, isFinalCodeStatus } from '../game/codeStatus.ts';
import { EVENTS } from '../log/events.ts';
import type { ActiveRun } from '../locks/activeRuns.ts';
import type { LockHandle } from '../locks/runLock.ts';
import type { RetryPolicy } from '../pacing/retryPolicy.ts';
import type { AllianceRecord, LedgerOutcome, MemberRecord, RunScope, Store } from '../store/types.ts';
import type { ScheduleExhaustedRetry } from './exhaustedRetry.ts';
import type { MemberQueue } from './memberQueue.ts';
import type { ProbeGates } from './probeGate.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import type { RunListener, RunStart } from './runListener.ts';
import type { MemberOutcome, ProgressCounts, RunProgress } from './runSummary.ts';
import type { StopReason } from './stopReasons.ts';

/** What the engine hands every run: the parts shared by all runs of the process. */
export interface RunDeps extends PacingDeps {
  store: Store;
  listener: Required<RunListener>;
  probeGates: ProbeGates;
  retry: RetryPolicy;
  /** Calls in flight per run; the budget, not this, sets the pace. */
  concurrency: number;
  /** The longest one API call can take (connect + read timeout): how long a previous holder's call may be in flight. */
  callTimeoutMs: number;
  shutdownSignal: AbortSignal | undefined;
  /** Brings members left retry-exhausted by an automatic run back later; returns when. */
  retryExhausted?: ScheduleExhaustedRetry;
}

/**
 * One run's state, in one place: who it is for, the lock it holds, its queue, and what it has learnt so far. The
 * steps of a run (callMember, applyAnswer, the worker loop in run.ts) read and update it through the functions below.
 */
export interface RunContext {
  readonly deps: RunDeps;
  readonly guildId: string;
  /** The alliances of the server this run covers (all of the code's game, or those the trigger named). */
  readonly alliances: readonly AllianceRecord[];
  /** Each member's alliance (fid → alliance id), for the per-alliance progress. */
  readonly allianceOf: ReadonlyMap<string, number>;
  readonly game: Game;
  readonly code: string;
  readonly options: RedeemOptions;
  readonly scope: RunScope;
  readonly handle: LockHandle;
  readonly queue: MemberQueue<MemberRecord>;
  /** `game:code`: the key of this code's probe gate. */
  readonly codeKey: string;
  /** Ends every wait of the run: the lock's signal, the run's own stop and the process shutdown. */
  readonly signal: AbortSignal;
  /** Fields every log line of the run carries. */
  readonly logFields: { guildId: string; code: string; game: Game; runId: number; fence: number; trigger: string };
  /** The entry in the process's active set: progress is kept there for status and the watchdog. */
  readonly active: ActiveRun;
  /** Members in the run (called or skipped). */
  readonly total: number;
  readonly outcomes: Map<string, MemberOutcome>;
  /** Calls made per member in this run. */
  readonly attempts: Map<string, number>;
  stop: StopReason | null;
  /** The game has shown the code exists: calls no longer wait at the probe gate. */
  codeProven: boolean;
  apiCalls: number;
  rateLimited: number;
  /** Answers the game gave whose ledger write was refused (stale fence) or failed: the journal still has them. */
  answersNotRecorded: number;
  /** Members that got `params error` in this run: one is retried once; a second, different one stops the run. */
  readonly paramsErrorFids: Set<string>;
  readonly stopController: AbortController;
}

export function stopRun(run: RunContext, reason: StopReason): void {
  run.stop ??= reason;
  run.stopController.abort(new Error(reason.kind));
}

/** Whether the run must stop (shutdown, or the lock is no longer ours by its local deadline); checked before every call. */
export function noteStop(run: RunContext): boolean {
  if (run.stop) return true;
  if (run.deps.shutdownSignal?.aborted) stopRun(run, { kind: 'shutdown' });
  else if (run.active.stopper.signal.aborted) stopRun(run, { kind: 'server-left' });
  else if (run.handle.signal.aborted || !run.handle.isHeld()) {
    stopRun(run, { kind: 'lock-lost' });
    run.deps.listener.lockEvent('lost');
  }
  return run.stop !== null;
}

/**
 * Another alliance's run (in this process or another) may learn first that the code is dead: every run of the code
 * stops at its next member instead of spending its own calls to find out.
 */
export async function codeDiedElsewhere(run: RunContext): Promise<boolean> {
  const current = await run.deps.store.codes.get(run.game, run.code);
  if (!current || !isFinalCodeStatus(current.status)) return false;
  stopRun(run, {
    kind: 'code-final',
    classification: deadCodeClassification(current.status, {
      errCode: current.validationErrCode,
      msg: current.validationMsg,
    }),
  });
  return true;
}

export function setOutcome(
  run: RunContext,
  member: MemberRecord,
  outcome: Omit<MemberOutcome, 'fid' | 'name' | 'allianceId'>,
): void {
  run.outcomes.set(member.fid, { fid: member.fid, allianceId: member.allianceId, name: member.name, ...outcome });
}

/** Writes the member's row under the run's fence; a stale fence (a newer run owns the code) stops the run. */
export async function recordOutcome(run: RunContext, member: MemberRecord, outcome: LedgerOutcome): Promise<boolean> {
  const notRecorded = (why: string, err?: unknown) => {
    run.answersNotRecorded += 1;
    run.deps.log.error(
      {
        event: EVENTS.answerNotRecorded,
        ...run.logFields,
        fid: member.fid,
        status: outcome.status,
        err_code: outcome.errCode ?? null,
        err_msg: outcome.msg ?? null,
        why,
        ...(err ? { err } : {}),
      },
      'the game answered but the ledger write did not go through; the answer journal keeps it',
    );
  };
  let result;
  try {
    result = await run.deps.store.ledger.record(run.scope, member.fid, outcome);
  } catch (err) {
    notRecorded('store-error', err);
    throw err;
  }
  if (result !== 'stale-fence') return true;
  notRecorded('stale-fence');
  run.deps.log.error(
    { event: EVENTS.staleFence, ...run.logFields, fid: member.fid, stage: 'record' },
    'write refused: a newer run owns this code now; stopping',
  );
  stopRun(run, { kind: 'stale-fence' });
  run.deps.listener.lockEvent('stale-fence');
  return false;
}

/**
 * Appends the answer to the journal before anything else is written: never fenced, so what the game said survives a
 * refused or failed ledger write. A journal failure is logged and does not stop the run (the ledger still decides).
 */
export async function journalAnswer(
  run: RunContext,
  member: MemberRecord,
  answer: { httpStatus: number },
  classification: { kind: string; errCode: number | null; msg: string | null },
): Promise<void> {
  const { scope } = run;
  try {
    await run.deps.store.journal.append({
      runId: scope.runId,
      fence: scope.fence,
      guildId: scope.guildId,
      game: scope.game,
      fid: member.fid,
      code: scope.code,
      httpStatus: answer.httpStatus,
      errCode: classification.errCode,
      msg: classification.msg,
      kind: classification.kind,
      at: Date.now(),
    });
  } catch (err) {
    run.deps.log.error(
      {
        event: EVENTS.journalFailed,
        ...run.logFields,
        fid: member.fid,
        kind: classification.kind,
        err_code: classification.errCode,
        err_msg: classification.msg,
        err,
      },
      'could not append the answer to the journal',
    );
  }
}

/** Tells the caller, the listeners and the active set how far the run is (in all, and per alliance). */
export function reportProgress(run: RunContext): void {
  const values = [...run.outcomes.values()];
  run.active.progress = { processed: values.length, total: run.total };
  run.active.lastProgressAt = Date.now();
  const retrying = [...run.attempts.keys()].filter((fid) => !run.outcomes.has(fid));
  // One pass per list, bucketed by alliance: progress is reported after every member.
  const outcomesOf = new Map<number, MemberOutcome[]>();
  for (const outcome of values) {
    const list = outcomesOf.get(outcome.allianceId);
    if (list) list.push(outcome);
    else outcomesOf.set(outcome.allianceId, [outcome]);
  }
  const count = (fids: Iterable<string>) => {
    const n = new Map<number, number>();
    for (const fid of fids) {
      const id = run.allianceOf.get(fid);
      if (id !== undefined) n.set(id, (n.get(id) ?? 0) + 1);
    }
    return n;
  };
  const totals = count(run.allianceOf.keys());
  const retryingOf = count(retrying);
  const byAlliance: Record<number, ProgressCounts> = {};
  for (const alliance of run.alliances) {
    byAlliance[alliance.id] = progressCounts(
      outcomesOf.get(alliance.id) ?? [],
      retryingOf.get(alliance.id) ?? 0,
      totals.get(alliance.id) ?? 0,
    );
  }
  const progress: RunProgress = {
    runId: run.scope.runId,
    ...progressCounts(values, retrying.length, run.total),
    byAlliance,
  };
  run.options.onProgress?.(progress);
  run.deps.listener.runProgress(runStartOf(run), progress);
}

function progressCounts(values: readonly MemberOutcome[], retrying: number, total: number): ProgressCounts {
  return {
    total,
    processed: values.length,
    success: values.filter((o) => o.outcome === 'success').length,
    already: values.filter((o) => o.outcome === 'already' || (o.outcome === 'skipped' && o.reason === 'already-final'))
      .length,
    failed: values.filter((o) => o.outcome === 'failed').length,
    retrying,
  };
}

export function runStartOf(run: RunContext): RunStart {
  return {
    guildId: run.guildId,
    game: run.game,
    code: run.code,
    trigger: run.options.trigger,
    runId: run.scope.runId,
    total: run.total,
    alliances: run.alliances.map((alliance) => ({
      allianceId: alliance.id,
      name: alliance.name,
      resultChannelId: alliance.resultChannelId,
      language: alliance.language,
    })),
  };
}
