import { codeStatusFor } from '../game/codeStatus.ts';
import { EVENTS } from '../log/events.ts';
import type { ActiveRun } from '../locks/activeRuns.ts';
import type { LockHandle } from '../locks/runLock.ts';
import type { Game } from '../game/games.ts';
import { FINAL_LEDGER_STATUSES, type AllianceRecord, type MemberRecord } from '../store/types.ts';
import { callMember } from './callMember.ts';
import { waitForPreviousHolder } from './previousHolder.ts';
import { isAutomaticTrigger } from './exhaustedRetry.ts';
import { createMemberQueue, workQueue } from './memberQueue.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import { noteStop, reportProgress, runStartOf, setOutcome, type RunContext, type RunDeps } from './runContext.ts';
import {
  countOutcomes,
  describeRun,
  type AllianceSummary,
  type CodeVerdict,
  type MemberOutcome,
  type RunSummary,
} from './runSummary.ts';
import { describeStop, runOutcomeFor, runStatusFor, stopReasonText, stopWhy } from './stopReasons.ts';

export interface HeldRun {
  guildId: string;
  game: Game;
  /** The alliances the run covers (admission resolved them): only their members are called. */
  alliances: readonly AllianceRecord[];
  code: string;
  options: RedeemOptions;
  handle: LockHandle;
  active: ActiveRun;
  instanceId: string;
  /** Told when the run lost its lock: the members not reached are retried once it can be had again. */
  onLockLost: () => Promise<void>;
}

/**
 * The run itself, once admission holds the active set and the lock: take a fence and a run record, plan who to call,
 * let the workers call them, and write the summary. Returns the summary fields the run decided.
 */
export async function runHeld(deps: RunDeps, held: HeldRun, summary: RunSummary): Promise<RunSummary> {
  const { store, log } = deps;
  const { guildId, game, alliances, code, options } = held;
  const started = performance.now();
  const fence = await store.ledger.nextFence(guildId, game, code);
  const record = await store.runs.start({
    guildId,
    game,
    code,
    allianceIds: alliances.map((alliance) => alliance.id),
    trigger: options.trigger,
    fence,
    owner: held.instanceId,
  });
  held.active.runId = record.id;
  held.active.fence = fence;
  const logFields = { guildId, code, game, runId: record.id, fence, trigger: options.trigger };
  log.info({ event: EVENTS.lockAcquired, ...logFields }, 'lock acquired');
  deps.listener.lockEvent('acquired');
  const scope = { guildId, game, code, fence, runId: record.id };
  await waitForPreviousHolder(deps, scope, {
    callTimeoutMs: deps.callTimeoutMs,
    signal: AbortSignal.any([held.handle.signal, ...(deps.shutdownSignal ? [deps.shutdownSignal] : [])]),
  });

  const members = await planMembers(deps, held, options);
  const stopController = new AbortController();
  const run: RunContext = {
    deps,
    guildId,
    alliances,
    allianceOf: new Map(members.all.map((member) => [member.fid, member.allianceId])),
    game,
    code,
    options,
    scope,
    handle: held.handle,
    queue: createMemberQueue(members.toCall),
    codeKey: `${game}:${code}`,
    signal: AbortSignal.any([
      held.handle.signal,
      stopController.signal,
      held.active.stopper.signal,
      ...(deps.shutdownSignal ? [deps.shutdownSignal] : []),
    ]),
    logFields,
    active: held.active,
    total: members.all.length,
    outcomes: members.skipped,
    attempts: new Map(),
    stop: null,
    codeProven: (await store.codes.get(game, code))?.status === 'valid' || deps.probeGates.isProven(`${game}:${code}`),
    apiCalls: 0,
    rateLimited: 0,
    answersNotRecorded: 0,
    paramsErrorFids: new Set(),
    stopController,
  };
  log.info(
    {
      event: EVENTS.runStarted,
      ...logFields,
      members: run.total,
      allianceIds: alliances.map((alliance) => alliance.id),
      toCall: members.toCall.length,
      skipped: run.total - members.toCall.length,
    },
    'run started',
  );
  options.onStart?.({ runId: record.id, total: run.total });
  deps.listener.runStarted(runStartOf(run));
  reportProgress(run);

  const workers = Math.max(1, Math.min(deps.concurrency, members.toCall.length));
  await Promise.all(Array.from({ length: workers }, () => worker(run)));
  return finish(run, members.all, summary, held, started);
}

/**
 * The members of the alliances the run covers; one read of the code's ledger: members with a final row (from any
 * earlier run, alliance or server) are not called.
 */
async function planMembers(deps: RunDeps, held: HeldRun, options: RedeemOptions) {
  const allianceIds = held.alliances.map((alliance) => alliance.id);
  let all = await deps.store.members.list(held.guildId, { allianceIds });
  if (options.fids) {
    const wanted = new Set(options.fids);
    all = all.filter((member) => wanted.has(member.fid));
  }
  const rows = new Map((await deps.store.ledger.listForCode(held.game, held.code)).map((row) => [row.fid, row]));
  const skipped = new Map<string, MemberOutcome>();
  const skip = (member: MemberRecord, reason: string, raw: { errCode: number | null; msg: string | null }) =>
    skipped.set(member.fid, {
      fid: member.fid,
      allianceId: member.allianceId,
      name: member.name,
      outcome: 'skipped',
      reason,
      ...raw,
      attempts: 0,
    });
  const toCall: MemberRecord[] = [];
  for (const member of all) {
    const row = rows.get(member.fid);
    if (row && FINAL_LEDGER_STATUSES.includes(row.status))
      skip(member, 'already-final', { errCode: row.errCode, msg: row.msg });
    else if (member.state === null) skip(member, 'state-unknown', { errCode: null, msg: null });
    else if (member.stateStatus === 'wrong') skip(member, 'state-wrong', { errCode: null, msg: null });
    else toCall.push(member);
  }
  return { all, toCall, skipped };
}

/** Takes ready members until the queue is empty or the run stops (noteStop also notices a lost lock). */
function worker(run: RunContext): Promise<void> {
  return workQueue(run.queue, {
    stopped: () => noteStop(run),
    signal: run.signal,
    handle: (member) => callMember(run, member),
  });
}

async function finish(
  run: RunContext,
  members: readonly MemberRecord[],
  summary: RunSummary,
  held: HeldRun,
  started: number,
): Promise<RunSummary> {
  const { deps, code, game } = run;
  // Members never called (the run stopped) are reported as such; their rows stay open for the next run.
  for (const member of run.queue.drain()) {
    if (!run.outcomes.has(member.fid)) {
      setOutcome(run, member, {
        outcome: 'not-called',
        reason: stopReasonText(run.stop),
        errCode: null,
        msg: null,
        attempts: run.attempts.get(member.fid) ?? 0,
      });
    }
  }
  const ordered = members
    .map((member) => run.outcomes.get(member.fid))
    .filter((o): o is MemberOutcome => o !== undefined);
  const { counts, byReason } = countOutcomes(ordered);
  const status = runStatusFor(run.stop);
  if (run.stop?.kind === 'lock-lost') await held.onLockLost();
  const { apiCalls, rateLimited, answersNotRecorded } = run;
  const retryAt = await scheduleRetry(run, status, ordered);
  const sentence = (tally: Pick<RunSummary, 'counts' | 'byReason'>) =>
    [
      describeRun({ status, code, retryAt, ...tally }, describeStop(run.stop, code)),
      notRecordedSentence(answersNotRecorded),
    ]
      .filter(Boolean)
      .join(' ');
  const message = sentence({ counts, byReason });
  const alliances = allianceSummaries(run, ordered, sentence);
  const durationMs = Math.round(performance.now() - started);
  await deps.store.runs.finish(
    run.scope.runId,
    runOutcomeFor(run.stop),
    { ...counts, apiCalls, rateLimited, answersNotRecorded, durationMs },
    message,
  );
  // Once the code is settled (live, or dead and marked), later runs never wait at its gate.
  if (run.codeProven || run.stop?.kind === 'code-final') deps.probeGates.settle(run.codeKey);
  if (run.codeProven) {
    const current = await deps.store.codes.get(game, code);
    if (current?.status === 'new') await deps.store.codes.setStatus(game, code, 'valid');
  }
  const codeVerdict = verdictOf(run);
  const level = status === 'completed' ? 'info' : status === 'config-error' ? 'error' : 'warn';
  deps.log[level](
    {
      event: EVENTS.runFinished,
      ...run.logFields,
      status,
      counts,
      byReason,
      apiCalls,
      rateLimited,
      answersNotRecorded,
      durationMs,
    },
    message,
  );
  return {
    ...summary,
    status,
    runId: run.scope.runId,
    fence: run.scope.fence,
    alliances,
    counts,
    byReason,
    members: ordered,
    apiCalls,
    rateLimited,
    answersNotRecorded,
    durationMs,
    retryAt,
    message,
    ...whyOf(stopWhy(run.stop, code)),
    codeVerdict,
  };
}

/** The optional `why` field, present only when there is one (exactOptionalPropertyTypes). */
function whyOf(why: RunSummary['why']): Pick<RunSummary, 'why'> {
  return why ? { why } : {};
}

/** Members an automatic run left retry-exhausted come back in a deferred run of their own; null when none is due. */
async function scheduleRetry(
  run: RunContext,
  status: RunSummary['status'],
  outcomes: readonly MemberOutcome[],
): Promise<number | null> {
  const fids = outcomes.filter((o) => o.outcome === 'retry-exhausted').map((o) => o.fid);
  if (
    fids.length === 0 ||
    status !== 'completed' ||
    !run.deps.retryExhausted ||
    !isAutomaticTrigger(run.options.trigger)
  )
    return null;
  try {
    return await run.deps.retryExhausted({
      guildId: run.guildId,
      game: run.game,
      code: run.code,
      trigger: run.options.trigger,
      fids,
      round: run.options.retryRound ?? 1,
    });
  } catch (err) {
    run.deps.log.error(
      { event: EVENTS.runFailed, ...run.logFields, err },
      'could not schedule the retry of members left retry-exhausted',
    );
    return null;
  }
}

/** Each covered alliance's counts and sentence, from its members' outcomes. */
function allianceSummaries(
  run: RunContext,
  outcomes: readonly MemberOutcome[],
  sentence: (tally: Pick<RunSummary, 'counts' | 'byReason'>) => string,
): AllianceSummary[] {
  return run.alliances.map((alliance) => {
    const tally = countOutcomes(outcomes.filter((outcome) => outcome.allianceId === alliance.id));
    return {
      allianceId: alliance.id,
      name: alliance.name,
      resultChannelId: alliance.resultChannelId,
      ...tally,
      message: sentence(tally),
    };
  });
}

function notRecordedSentence(n: number): string {
  if (n === 0) return '';
  return `${n} answer${n === 1 ? '' : 's'} from the game could not be written to the ledger (a newer run took over, or the database failed); the answer journal keeps ${n === 1 ? 'it' : 'them'}.`;
}

function verdictOf(run: RunContext): CodeVerdict | null {
  const c = run.stop?.kind === 'code-final' ? run.stop.classification : null;
  if (c?.kind === 'code-final')
    return { kind: 'dead', status: codeStatusFor(c.reason), errCode: c.errCode, msg: c.msg };
  return run.codeProven ? { kind: 'live' } : null;
}
