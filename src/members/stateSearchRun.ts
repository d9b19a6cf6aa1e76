import { pacedCall, spacingWait } from '../game/pacedCall.ts';
import { t } from '../i18n/i18n.ts';
import { EVENTS } from '../log/events.ts';
import { PRIORITY } from '../pacing/rateBudget.ts';
import { DEFAULT_RETRY_POLICY } from '../pacing/retryPolicy.ts';
import { createMemberQueue, workQueue } from '../redeem/memberQueue.ts';
import type { AllianceRecord } from '../store/types.ts';
import { acquireWhenQuiet } from './acquireWhenQuiet.ts';
import { createCatchUpBatches } from './catchUpBatches.ts';
import { countDiscoveries, describeDiscovery, type DiscoverySummary } from './discoverySummary.ts';
import { impossibleCode } from './impossibleCode.ts';
import { planStateSearch, type SearchTask } from './planStateSearch.ts';
import {
  finishMember,
  type ResolveOptions,
  type SearchRun,
  type SearchWhy,
  type StateDiscoveryDeps,
} from './searchRun.ts';
import { applyProbeAnswer } from './stateProbeAnswer.ts';

// The options and the search's state live in searchRun.ts (the answer handling imports them too); re-exported here
// so callers keep one entry point.
export type { ResolveOptions, StateDiscoveryDeps } from './searchRun.ts';

/**
 * One state search for an alliance: probe each member's candidate states with an impossible code (the right state
 * answers "code not found", a wrong one "user info error", an unknown player "role not exist"), behind redemptions.
 */
export async function runStateSearch(
  deps: StateDiscoveryDeps,
  alliance: AllianceRecord,
  options: ResolveOptions,
): Promise<DiscoverySummary> {
  const started = performance.now();
  const game = alliance.game;
  const range = options.range ?? deps.range;
  const tasks = await planStateSearch(deps.store, alliance, {
    fids: options.fids,
    range,
    restart: options.restart,
    write: true,
  });
  deps.log.info(
    {
      event: EVENTS.stateDiscoveryStarted,
      guildId: alliance.guildId,
      allianceId: alliance.id,
      game,
      members: tasks.length,
      range,
      allianceState: alliance.defaultState,
    },
    'state discovery started',
  );

  const budget = deps.budgetFor(game);
  const stop = new AbortController();
  const run: SearchRun = {
    deps,
    alliance,
    game,
    options,
    range,
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
    queue: createMemberQueue<SearchTask>([]),
    results: new Map(),
    catchUp: createCatchUpBatches({
      guildId: alliance.guildId,
      catchUp: options.catchUp === false ? undefined : deps.catchUp,
      log: deps.log,
      shutdownSignal: deps.shutdownSignal,
    }),
    probeCode: impossibleCode(),
    stop,
    signal: deps.shutdownSignal ? AbortSignal.any([stop.signal, deps.shutdownSignal]) : stop.signal,
    busy: () => deps.activeRuns.list().some((active) => deps.budgetFor(active.game) === budget),
    configError: null,
    probes: 0,
    transient: 0,
    rateLimited: 0,
  };
  for (const task of tasks) {
    if (task.candidates.length > 0) {
      run.queue.push(task);
      continue;
    }
    const why: SearchWhy =
      task.ruledOut > 0
        ? { key: 'allRuledOut', vars: { ruledOut: task.ruledOut, range } }
        : { key: 'noCentre', vars: {} };
    const reason = t('en', `stateSearch.why.${why.key}`, why.vars);
    deps.log.warn(
      {
        event: EVENTS.stateNotFound,
        guildId: alliance.guildId,
        game,
        fid: task.member.fid,
        ruledOut: task.ruledOut,
        reason,
      },
      'state not found',
    );
    finishMember(run, task, 'not-found', null, why);
  }

  const concurrency = deps.concurrency ?? 4;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, run.queue.size())) }, () => worker(run)));
  // Members the search did not finish (stopped early): their ruled-out states are kept for the next run.
  for (const task of run.queue.drain()) {
    if (!run.results.has(task.member.fid))
      finishMember(run, task, 'unresolved', null, { key: run.configError ? 'stoppedConfig' : 'stopped', vars: {} });
  }
  await run.catchUp.drained();
  return summarise(run, tasks, started);
}

function worker(run: SearchRun): Promise<void> {
  return workQueue(run.queue, {
    stopped: () => run.signal.aborted,
    signal: run.signal,
    handle: (task) => probeOne(run, task),
  });
}

async function probeOne(run: SearchRun, task: SearchTask): Promise<void> {
  const { game } = run;
  const fid = task.member.fid;
  const wait = spacingWait(run.deps.spacing, game, fid);
  if (wait > 0) {
    run.queue.push(task, performance.now() + wait);
    return;
  }
  const kid = task.candidates[task.next]!;
  const result = await pacedCall(run.deps, {
    game,
    fid,
    kid,
    code: run.probeCode,
    priority: PRIORITY.discovery,
    signal: run.signal,
    abortInFlight: true,
    // Behind redemptions: no slot is taken while a run on the same host is busy.
    acquire: (budget, slot) => acquireWhenQuiet(budget, { ...slot, busy: run.busy }),
    onCall: () => {
      run.probes += 1;
      task.probes += 1;
    },
  });
  if (!result.sent) {
    run.queue.push(task);
    return;
  }
  await applyProbeAnswer(run, task, kid, result.answer, result.classification);
}

function summarise(run: SearchRun, tasks: readonly SearchTask[], started: number): DiscoverySummary {
  const { alliance, game, probes, transient, rateLimited } = run;
  const members = tasks.map((task) => run.results.get(task.member.fid)!).filter(Boolean);
  const counts = countDiscoveries(members);
  const stoppedBy = run.configError;
  const status: DiscoverySummary['status'] = stoppedBy ? 'config-error' : run.signal.aborted ? 'aborted' : 'completed';
  const detail =
    status === 'config-error'
      ? `The game refused our requests as malformed (${stoppedBy?.msg ?? ''}); discovery stopped. Check the API settings (salt, base URL).`
      : status === 'aborted'
        ? 'The bot is shutting down; the search goes on from here next time.'
        : undefined;
  const durationMs = Math.round(performance.now() - started);
  const summary: DiscoverySummary = {
    status,
    guildId: alliance.guildId,
    game,
    members,
    counts,
    probes,
    transient,
    rateLimited,
    catchUp: run.catchUp.runs,
    catchUpSkipped: run.catchUp.skipped(),
    durationMs,
    message: '',
  };
  summary.message = describeDiscovery(summary, detail);
  run.deps.log.info(
    {
      event: EVENTS.stateDiscoveryFinished,
      guildId: alliance.guildId,
      game,
      status,
      counts,
      probes,
      transient,
      rateLimited,
      durationMs,
    },
    summary.message,
  );
  return summary;
}
