import { setTimeout as sleep } from 'node:timers/promises';
import { classifyAnswer, type Classification } from '../game/classifyAnswer.ts';
import { isGame, type Game } from '../game/games.ts';
import type { GiftCodeClient } from '../game/giftCodeClient.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import { createMemberQueue } from '../redeem/memberQueue.ts';
import type { PlayerSpacing } from '../pacing/playerSpacing.ts';
import { reportAnswerToBudget } from '../pacing/reportAnswerToBudget.ts';
import { PRIORITY, type RateBudget } from '../pacing/rateBudget.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../pacing/retryPolicy.ts';
import type { RunSummary } from '../redeem/runSummary.ts';
import type { GuildRecord, MemberRecord, Store } from '../store/types.ts';
import { acquireWhenQuiet } from './acquireWhenQuiet.ts';
import { countDiscoveries, describeDiscovery, type CatchUpRun, type DiscoverySummary, type MemberDiscovery } from './discoverySummary.ts';
import { impossibleCode } from './impossibleCode.ts';
import { stateCandidates } from './stateCandidates.ts';

export interface StateDiscoveryDeps {
  store: Store;
  client: GiftCodeClient;
  budgetFor: (game: Game) => RateBudget;
  spacing: PlayerSpacing;
  /** Redemption runs in this process: discovery waits while one runs on the same API host. */
  activeRuns: ActiveRuns;
  log: Logger;
  /**
   * Gives members who just became reachable the codes they are missing (the general catch-up of src/discovery);
   * without it, found members wait for the next run of each code.
   */
  catchUp?: (guildId: string, fids: readonly string[]) => Promise<{ runs: readonly RunSummary[]; skipped: string | null }>;
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

export interface StateDiscovery {
  /** Looks up the state of an alliance's members whose state is unknown or wrong; see the README, "Members and states". */
  resolve(guildId: string, options?: ResolveOptions): Promise<DiscoverySummary>;
  /** Whether a discovery for this alliance is running in this process. */
  isRunning(guildId: string): boolean;
  /**
   * Alliances with a search to go on with: members with states ruled out (by an earlier search, or a redemption the
   * game refused with USER INFO ERROR) and states left to try. For resuming after a restart.
   */
  pendingGuilds(): Promise<string[]>;
  /** Resolves when every discovery started so far has ended. */
  idle(): Promise<void>;
}

interface Task {
  member: MemberRecord;
  candidates: number[];
  next: number;
  probes: number;
  transient: number;
  ruledOut: number;
}

export function createStateDiscovery(deps: StateDiscoveryDeps): StateDiscovery {
  const { store, log } = deps;
  const concurrency = deps.concurrency ?? 4;
  const retry = deps.retry ?? DEFAULT_RETRY_POLICY;
  const running = new Map<string, Promise<DiscoverySummary>>();

  function emptySummary(guildId: string, game: Game | null, status: DiscoverySummary['status'], message: string): DiscoverySummary {
    return {
      status,
      guildId,
      game,
      members: [],
      counts: countDiscoveries([]),
      probes: 0,
      transient: 0,
      rateLimited: 0,
      catchUp: [],
      catchUpSkipped: null,
      durationMs: 0,
      message,
    };
  }

  /**
   * Who to search and in which order. With `write`, also records what is known (the state a redemption was refused
   * with is ruled out) and forgets earlier searches on `restart`; without, it only looks.
   */
  async function plan(guild: GuildRecord, options: ResolveOptions, write: boolean): Promise<Task[]> {
    const game = guild.game;
    const range = options.range ?? deps.range;
    const roster = await store.members.list(guild.id);
    const wanted = options.fids ? new Set(options.fids) : null;
    const targets = roster.filter((m) => (m.state === null || m.stateStatus !== 'ok') && (!wanted || wanted.has(m.fid)));

    // Mates whose state is confirmed tell where the others probably are.
    const mateStates = new Map<number, number>();
    for (const m of roster) if (m.state !== null && m.stateStatus === 'ok') mateStates.set(m.state, (mateStates.get(m.state) ?? 0) + 1);

    const tasks: Task[] = [];
    for (const member of targets) {
      if (write && options.restart) await store.wrongStates.clear(game, member.fid);
      const ruled = new Set(await store.wrongStates.list(game, member.fid));
      // The state a redemption was refused with (USER INFO ERROR) is ruled out already.
      if (member.stateStatus === 'wrong' && member.state !== null && !ruled.has(member.state)) {
        ruled.add(member.state);
        if (write) await store.wrongStates.record(game, member.fid, member.state, { errCode: 40020, msg: 'refused in a redemption' });
      }
      const candidates = stateCandidates({ allianceState: guild.defaultState, mateStates, fallbackCentre: member.state, range, exclude: ruled });
      tasks.push({ member, candidates, next: 0, probes: 0, transient: 0, ruledOut: ruled.size });
    }
    return tasks;
  }

  async function resolve(guild: GuildRecord, options: ResolveOptions): Promise<DiscoverySummary> {
    const game = guild.game;
    const started = performance.now();
    const range = options.range ?? deps.range;
    const tasks = await plan(guild, options, true);
    log.info(
      { event: EVENTS.stateDiscoveryStarted, guildId: guild.id, game, members: tasks.length, range, allianceState: guild.defaultState },
      'state discovery started',
    );

    const results = new Map<string, MemberDiscovery>();
    const budget = deps.budgetFor(game);
    const probeCode = impossibleCode();
    const stop = new AbortController();
    let configError: Classification | null = null;
    let probes = 0;
    let transient = 0;
    let rateLimited = 0;
    const signal = deps.shutdownSignal ? AbortSignal.any([stop.signal, deps.shutdownSignal]) : stop.signal;

    // Catch-up runs one batch at a time, in the background, so found members get their codes while the search goes on.
    const catchUp: CatchUpRun[] = [];
    let catchUpSkipped: string | null = null;
    const catchUpQueue: string[] = [];
    let catchUpLoop: Promise<void> | null = null;
    const scheduleCatchUp = (fid: string) => {
      const run = deps.catchUp;
      if (options.catchUp === false || !run) return;
      catchUpQueue.push(fid);
      catchUpLoop ??= (async () => {
        while (catchUpQueue.length > 0 && !deps.shutdownSignal?.aborted) {
          const batch = catchUpQueue.splice(0);
          try {
            const report = await run(guild.id, batch);
            if (report.skipped) catchUpSkipped = report.skipped;
            for (const s of report.runs) {
              catchUp.push({ code: s.code, status: s.status, success: s.counts.success, already: s.counts.already, failed: s.counts.failed, message: s.message });
            }
          } catch (error) {
            log.error({ event: EVENTS.runFailed, guildId: guild.id, trigger: 'catch-up', err: error }, 'catch-up after state discovery failed');
          }
        }
        catchUpLoop = null;
      })();
    };

    const finish = (task: Task, outcome: MemberDiscovery['outcome'], state: number | null, reason: string | null) => {
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
      results.set(task.member.fid, result);
      try {
        options.onMember?.(result);
      } catch (error) {
        // A progress display that fails must not stop the search.
        log.warn({ event: EVENTS.stateProgressFailed, guildId: guild.id, fid: result.fid, err: error }, 'state discovery progress callback failed');
      }
    };

    const found = async (task: Task, state: number) => {
      const fid = task.member.fid;
      // The state belongs to the player: fix every roster entry of theirs in this game, not only this alliance's.
      for (const other of await store.guilds.list({ game })) {
        const entry = other.id === guild.id ? task.member : await store.members.get(other.id, fid);
        if (entry && (entry.state !== state || entry.stateStatus !== 'ok')) await store.members.setState(other.id, fid, state, 'ok');
      }
      const reopened = await store.ledger.reopenWrongState(game, fid);
      await store.wrongStates.clear(game, fid);
      log.info({ event: EVENTS.stateFound, guildId: guild.id, game, fid, state, previousState: task.member.state, probes: task.probes, reopened }, 'state found');
      finish(task, 'found', state, null);
      scheduleCatchUp(fid);
    };

    const busy = () => deps.activeRuns.list().some((run) => isGame(run.game) && deps.budgetFor(run.game) === budget);
    const queue = createMemberQueue<Task>([]);
    for (const task of tasks) {
      if (task.candidates.length > 0) {
        queue.push(task);
        continue;
      }
      const reason = task.ruledOut > 0 ? `all ${task.ruledOut} states within ${range} of the alliance's state are ruled out` : 'no state to start from: set the alliance\'s state';
      log.warn({ event: EVENTS.stateNotFound, guildId: guild.id, game, fid: task.member.fid, ruledOut: task.ruledOut, reason }, 'state not found');
      finish(task, 'not-found', null, reason);
    }

    const probeOne = async (task: Task): Promise<void> => {
      const fid = task.member.fid;
      const spacingKey = `${game}:${fid}`;
      const wait = deps.spacing.waitFor(spacingKey);
      if (wait > 0) {
        queue.push(task, performance.now() + wait);
        return;
      }
      try {
        await acquireWhenQuiet(budget, { priority: PRIORITY.discovery, signal, busy });
      } catch {
        queue.push(task);
        return;
      }
      // While we waited for the slot, a redemption may have called this player: keep the game's per-player gap.
      const gap = deps.spacing.waitFor(spacingKey);
      if (gap > 0) await sleep(gap);
      const kid = task.candidates[task.next]!;
      deps.spacing.mark(spacingKey);
      probes += 1;
      task.probes += 1;
      const answer = await deps.client.redeem({ game, fid, kid, code: probeCode, signal });
      reportAnswerToBudget(budget, answer, log);
      const c = classifyAnswer(answer);
      log.debug({ event: EVENTS.stateProbe, guildId: guild.id, game, fid, kid, httpStatus: answer.httpStatus, err_code: c.errCode, err_msg: c.msg, kind: c.kind }, 'state probe');

      if (c.kind === 'retry-later') {
        // Busy, throttled or lost: no verdict about the state. Try the same state again later.
        transient += 1;
        if (c.reason === 'rate-limited') rateLimited += 1;
        if (answer.transportError?.kind === 'aborted' || signal.aborted) {
          queue.push(task);
          return;
        }
        task.transient += 1;
        if (task.transient >= retry.maxAttempts) {
          finish(task, 'unresolved', null, `the game was busy (${c.msg ?? c.reason}); the next run goes on from state ${kid}`);
          return;
        }
        queue.push(task, performance.now() + retryDelayMs(retry, task.transient, c.delayMs));
        return;
      }
      if (c.kind === 'config-error') {
        configError = c;
        stop.abort(new Error('config-error'));
        queue.push(task);
        log.error({ event: EVENTS.configError, guildId: guild.id, game, fid, reason: c.reason, err_msg: c.msg }, 'the game API refused a state probe as malformed: stopping state discovery');
        return;
      }
      if (c.kind === 'member-final' && c.reason === 'wrong-state') {
        await store.wrongStates.record(game, fid, kid, { errCode: c.errCode, msg: c.msg });
        task.ruledOut += 1;
        task.next += 1;
        if (task.next < task.candidates.length) {
          queue.push(task);
          return;
        }
        const reason = `not in any of the ${task.ruledOut} states tried (up to ${range} either side of ${guild.defaultState ?? 'the centre'}); a larger STATE_DISCOVERY_RANGE or the member's own word is needed`;
        log.warn({ event: EVENTS.stateNotFound, guildId: guild.id, game, fid, ruledOut: task.ruledOut, probes: task.probes }, 'state not found');
        finish(task, 'not-found', null, reason);
        return;
      }
      if (c.kind === 'member-final' && c.reason === 'no-such-player') {
        log.warn({ event: EVENTS.statePlayerMissing, guildId: guild.id, game, fid, err_code: c.errCode, err_msg: c.msg }, 'the game knows no such player');
        finish(task, 'no-such-player', null, `the game says "${c.msg ?? 'role not exist'}": check the player id`);
        return;
      }
      // Anything else (CDK NOT FOUND, as expected, or any code-level answer) comes after the game accepted the
      // player with this state.
      await found(task, kid);
    };

    const worker = async (): Promise<void> => {
      for (;;) {
        if (signal.aborted) return;
        const next = queue.take(performance.now());
        if ('done' in next) return;
        if ('waitMs' in next) {
          try {
            await sleep(Math.min(next.waitMs, 1_000), undefined, { signal });
          } catch {
            /* stopped: the loop head notices */
          }
          continue;
        }
        await probeOne(next.item);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.size())) }, () => worker()));

    // Members the search did not finish (stopped early): their ruled-out states are kept for the next run.
    for (const task of queue.drain()) {
      if (!results.has(task.member.fid)) finish(task, 'unresolved', null, configError ? 'stopped: the game refused our requests as malformed' : 'stopped before the end');
    }
    while (catchUpLoop) await catchUpLoop;

    const members = tasks.map((task) => results.get(task.member.fid)!).filter(Boolean);
    const counts = countDiscoveries(members);
    const stoppedBy = configError as Classification | null;
    const status: DiscoverySummary['status'] = stoppedBy ? 'config-error' : signal.aborted ? 'aborted' : 'completed';
    const detail =
      status === 'config-error'
        ? `The game refused our requests as malformed (${stoppedBy?.msg ?? ''}); discovery stopped. Check the API settings (salt, base URL).`
        : status === 'aborted'
          ? 'The bot is shutting down; the search goes on from here next time.'
          : undefined;
    const durationMs = Math.round(performance.now() - started);
    const summary: DiscoverySummary = { status, guildId: guild.id, game, members, counts, probes, transient, rateLimited, catchUp, catchUpSkipped: catchUpSkipped as string | null, durationMs, message: '' };
    summary.message = describeDiscovery(summary, detail);
    log.info({ event: EVENTS.stateDiscoveryFinished, guildId: guild.id, game, status, counts, probes, transient, rateLimited, durationMs }, summary.message);
    return summary;
  }

  return {
    async resolve(guildId, options = {}) {
      const guild = await store.guilds.get(guildId);
      if (!guild) return emptySummary(guildId, null, 'refused', `This server has no alliance set up yet (guild ${guildId}).`);
      if (running.has(guildId)) {
        return emptySummary(guildId, guild.game, 'already-running', 'A state lookup for this alliance is already running; its report comes when it ends.');
      }
      const promise = resolve(guild, options).finally(() => running.delete(guildId));
      running.set(guildId, promise);
      return promise;
    },
    isRunning: (guildId) => running.has(guildId),
    async pendingGuilds() {
      const pending: string[] = [];
      for (const guild of await store.guilds.list()) {
        // Started (some state ruled out) and not over (states left to try).
        const tasks = await plan(guild, {}, false);
        if (tasks.some((task) => task.candidates.length > 0 && task.ruledOut > 0)) pending.push(guild.id);
      }
      return pending;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled(running.values());
    },
  };
}
