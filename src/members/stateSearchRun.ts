import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiAnswer } from '../game/apiAnswer.ts';
import type { Classification } from '../game/classifyAnswer.ts';
import type { Game } from '../game/games.ts';
import { pacedCall, spacingWait, type PacingDeps } from '../game/pacedCall.ts';
import { EVENTS } from '../log/events.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import { PRIORITY } from '../pacing/rateBudget.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../pacing/retryPolicy.ts';
import { createMemberQueue, type MemberQueue } from '../redeem/memberQueue.ts';
import type { GuildRecord, Store } from '../store/types.ts';
import { acquireWhenQuiet } from './acquireWhenQuiet.ts';
import { createCatchUpBatches, type CatchUpBatches, type CatchUpFn } from './catchUpBatches.ts';
import { countDiscoveries, describeDiscovery, type DiscoverySummary, type MemberDiscovery } from './discoverySummary.ts';
import { impossibleCode } from './impossibleCode.ts';
import { planStateSearch, type SearchTask } from './planStateSearch.ts';

/** What a member gets when the bounded search rules out every state (40020 may also mean "no such player"). */
export const NO_STATE_MATCHES = 'no state matches this id: check the id';

export interface StateDiscoveryDeps extends PacingDeps {
  store: Store;
  /** Redemption runs in this process: discovery waits while one runs on the same API host. */
  activeRuns: ActiveRuns;
  /**
   * Gives members who just became reachable the codes they are missing (the general catch-up of src/codes);
   * without it, found members wait for the next run of each code.
   */
  catchUp?: CatchUpFn;
  /** How far either side of the alliance's state to search (STATE_DISCOVERY_RANGE). */
  range: number;
  /** Members probed at the same time; the budget, not this, sets the pace. */
  concurrency?: number;
  /** Busy answers per member in one run before it is left for the next run. */
  retry?: RetryPolicy;
  shutdownSignal?: AbortSignal;
}

export interface ResolveOptions {
  /** Only these members (default: every member whose state is unknown or marked wrong). */
  fids?: readonly string[];
  /** Overrides the configured range for this run. */
  range?: number;
  /** Forget the states ruled out by earlier runs and search again from the start. */
  restart?: boolean;
  /** Give found members the still-valid codes (default true). */
  catchUp?: boolean;
  /** Called once per member when its search ends (found, not found, no such player, unresolved). */
  onMember?: (member: MemberDiscovery) => void;
}

/** One search's state: the alliance, its queue of members, what each ended with, and the counts. */
interface SearchRun {
  deps: StateDiscoveryDeps;
  guild: GuildRecord;
  game: Game;
  options: ResolveOptions;
  range: number;
  retry: RetryPolicy;
  queue: MemberQueue<SearchTask>;
  results: Map<string, MemberDiscovery>;
  catchUp: CatchUpBatches;
  /** The impossible code every probe of this search sends: the game's answer tells the state, never redeems. */
  probeCode: string;
  stop: AbortController;
  signal: AbortSignal;
  /** Whether a redemption run is using the same API host: probes wait for it. */
  busy: () => boolean;
  configError: Classification | null;
  probes: number;
  transient: number;
  rateLimited: number;
}

/**
 * One state search for an alliance: probe each member's candidate states with an impossible code (the right state
 * answers "code not found", a wrong one "user info error", an unknown player "role not exist"), behind redemptions.
 */
export async function runStateSearch(deps: StateDiscoveryDeps, guild: GuildRecord, options: ResolveOptions): Promise<DiscoverySummary> {
  const started = performance.now();
  const game = guild.game;
  const range = options.range ?? deps.range;
  const tasks = await planStateSearch(deps.store, guild, { fids: options.fids, range, restart: options.restart, write: true });
  deps.log.info({ event: EVENTS.stateDiscoveryStarted, guildId: guild.id, game, members: tasks.length, range, allianceState: guild.defaultState }, 'state discovery started');

  const budget = deps.budgetFor(game);
  const stop = new AbortController();
  const run: SearchRun = {
    deps,
    guild,
    game,
    options,
    range,
    retry: deps.retry ?? DEFAULT_RETRY_POLICY,
    queue: createMemberQueue<SearchTask>([]),
    results: new Map(),
    catchUp: createCatchUpBatches({ guildId: guild.id, catchUp: options.catchUp === false ? undefined : deps.catchUp, log: deps.log, shutdownSignal: deps.shutdownSignal }),
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
    const reason = task.ruledOut > 0 ? `${NO_STATE_MATCHES} (all ${task.ruledOut} states within ${range} of the alliance's state are ruled out)` : "no state to start from: set the alliance's state";
    deps.log.warn({ event: EVENTS.stateNotFound, guildId: guild.id, game, fid: task.member.fid, ruledOut: task.ruledOut, reason }, 'state not found');
    finishMember(run, task, 'not-found', null, reason);
  }

  const concurrency = deps.concurrency ?? 4;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, run.queue.size())) }, () => worker(run)));
  // Members the search did not finish (stopped early): their ruled-out states are kept for the next run.
  for (const task of run.queue.drain()) {
    if (!run.results.has(task.member.fid)) finishMember(run, task, 'unresolved', null, run.configError ? 'stopped: the game refused our requests as malformed' : 'stopped before the end');
  }
  await run.catchUp.drained();
  return summarise(run, tasks, started);
}

async function worker(run: SearchRun): Promise<void> {
  for (;;) {
    if (run.signal.aborted) return;
    const next = run.queue.take(performance.now());
    if ('done' in next) return;
    if ('waitMs' in next) {
      try {
        await sleep(Math.min(next.waitMs, 1_000), undefined, { signal: run.signal });
      } catch {
        /* stopped: the loop head notices */
      }
      continue;
    }
    await probeOne(run, next.item);
  }
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

/** What one probe's answer says about the member's state. */
async function applyProbeAnswer(run: SearchRun, task: SearchTask, kid: number, answer: ApiAnswer, c: Classification): Promise<void> {
  const { deps, game, guild } = run;
  const fid = task.member.fid;
  deps.log.debug({ event: EVENTS.stateProbe, guildId: guild.id, game, fid, kid, httpStatus: answer.httpStatus, err_code: c.errCode, err_msg: c.msg, kind: c.kind }, 'state probe');
  if (c.kind === 'retry-later') {
    // Busy, throttled or lost: no verdict about the state. Try the same state again later.
    run.transient += 1;
    if (c.reason === 'rate-limited') run.rateLimited += 1;
    if (answer.transportError?.kind === 'aborted' || run.signal.aborted) {
      run.queue.push(task);
      return;
    }
    task.transient += 1;
    if (task.transient >= run.retry.maxAttempts) {
      finishMember(run, task, 'unresolved', null, `the game was busy (${c.msg ?? c.reason}); the next run goes on from state ${kid}`);
      return;
    }
    run.queue.push(task, performance.now() + retryDelayMs(run.retry, task.transient, c.delayMs));
    return;
  }
  if (c.kind === 'config-error') {
    run.configError = c;
    run.stop.abort(new Error('config-error'));
    run.queue.push(task);
    deps.log.error({ event: EVENTS.configError, guildId: guild.id, game, fid, reason: c.reason, err_msg: c.msg }, 'the game API refused a state probe as malformed: stopping state discovery');
    return;
  }
  if (c.kind === 'member-final' && c.reason === 'wrong-state') {
    await deps.store.wrongStates.record(game, fid, kid, { errCode: c.errCode, msg: c.msg });
    task.ruledOut += 1;
    task.next += 1;
    if (task.next < task.candidates.length) {
      run.queue.push(task);
      return;
    }
    // The game answers USER INFO ERROR (40020) for a wrong state and also for an id it does not know: after the
    // bounded search, the id is as likely wrong as the state. The member is no longer "wrong state" (which every
    // run would report and a restart would search again): its state becomes unknown until an admin sets one.
    const reason = `${NO_STATE_MATCHES} (none of the ${task.ruledOut} states tried, up to ${run.range} either side of ${guild.defaultState ?? 'the centre'}, accepted it; the game gives the same answer for an unknown id)`;
    await deps.store.members.setState(guild.id, fid, null, 'unknown');
    deps.log.warn({ event: EVENTS.stateNotFound, guildId: guild.id, game, fid, ruledOut: task.ruledOut, probes: task.probes, reason }, 'no state matches this id');
    finishMember(run, task, 'not-found', null, reason);
    return;
  }
  if (c.kind === 'member-final' && c.reason === 'no-such-player') {
    deps.log.warn({ event: EVENTS.statePlayerMissing, guildId: guild.id, game, fid, err_code: c.errCode, err_msg: c.msg }, 'the game knows no such player');
    finishMember(run, task, 'no-such-player', null, `the game says "${c.msg ?? 'role not exist'}": check the player id`);
    return;
  }
  // Anything else (CDK NOT FOUND, as expected, or any code-level answer) comes after the game accepted the player
  // with this state.
  await memberFound(run, task, kid);
}

async function memberFound(run: SearchRun, task: SearchTask, state: number): Promise<void> {
  const { store, log } = run.deps;
  const { game, guild } = run;
  const fid = task.member.fid;
  // The state belongs to the player: fix every roster entry of theirs in this game, not only this alliance's.
  for (const other of await store.guilds.list({ game })) {
    const entry = other.id === guild.id ? task.member : await store.members.get(other.id, fid);
    if (entry && (entry.state !== state || entry.stateStatus !== 'ok')) await store.members.setState(other.id, fid, state, 'ok');
  }
  const reopened = await store.ledger.reopenWrongState(game, fid);
  await store.wrongStates.clear(game, fid);
  log.info({ event: EVENTS.stateFound, guildId: guild.id, game, fid, state, previousState: task.member.state, probes: task.probes, reopened }, 'state found');
  finishMember(run, task, 'found', state, null);
  run.catchUp.add(fid);
}

function finishMember(run: SearchRun, task: SearchTask, outcome: MemberDiscovery['outcome'], state: number | null, reason: string | null): void {
  const result: MemberDiscovery = {
    fid: task.member.fid,
    name: task.member.name,
    outcome,
    state,
    previousState: task.member.state,
    probes: task.probes,
    ruledOut: task.ruledOut,
    candidatesLeft: Math.max(0, task.candidates.length - task.next - (outcome === 'found' ? 1 : 0)),
    reason,
  };
  run.results.set(task.member.fid, result);
  try {
    run.options.onMember?.(result);
  } catch (error) {
    // A progress display that fails must not stop the search.
    run.deps.log.warn({ event: EVENTS.stateProgressFailed, guildId: run.guild.id, fid: result.fid, err: error }, 'state discovery progress callback failed');
  }
}

function summarise(run: SearchRun, tasks: readonly SearchTask[], started: number): DiscoverySummary {
  const { guild, game, probes, transient, rateLimited } = run;
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
  const summary: DiscoverySummary = { status, guildId: guild.id, game, members, counts, probes, transient, rateLimited, catchUp: run.catchUp.runs, catchUpSkipped: run.catchUp.skipped(), durationMs, message: '' };
  summary.message = describeDiscovery(summary, detail);
  run.deps.log.info({ event: EVENTS.stateDiscoveryFinished, guildId: guild.id, game, status, counts, probes, transient, rateLimited, durationMs }, summary.message);
  return summary;
}
