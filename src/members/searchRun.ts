import type { Classification } from '../game/classifyAnswer.ts';
import type { Game } from '../game/games.ts';
import type { PacingDeps } from '../game/pacedCall.ts';
import { t } from '../i18n/i18n.ts';
import { EVENTS } from '../log/events.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import type { RetryPolicy } from '../pacing/retryPolicy.ts';
import type { MemberQueue } from '../redeem/memberQueue.ts';
import type { AllianceRecord, Store } from '../store/types.ts';
import type { CatchUpBatches, CatchUpFn } from './catchUpBatches.ts';
import type { MemberDiscovery } from './discoverySummary.ts';
import type { SearchTask } from './planStateSearch.ts';

/**
 * Why a member's search ended without a state, as data: a key under `stateSearch.why.` and its values, so Discord
 * says it in the member's language; `reason` (logs, CLI) is its English text.
 */
export interface SearchWhy {
  key: 'allRuledOut' | 'noCentre' | 'busy' | 'noneAccepted' | 'noSuchPlayer' | 'stopped' | 'stoppedConfig';
  vars: Record<string, string | number>;
}

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

/**
 * One search's state: the alliance, its queue of members, what each ended with, and the counts. The steps of a search
 * (the worker loop in stateSearchRun.ts, the answer handling in stateProbeAnswer.ts) read and update it.
 */
export interface SearchRun {
  /** Store, budgets and log shared by every search of the process. */
  deps: StateDiscoveryDeps;
  /** The alliance searched: its server and centre state go into logs and reasons. */
  alliance: AllianceRecord;
  /** The alliance's game: the budget and every store key are per game. */
  game: Game;
  /** What the caller asked for (catch-up, progress callback). */
  options: ResolveOptions;
  /** States either side of the centre for this run (the option or the configured default). */
  range: number;
  /** When a busy member is tried again and when it is given up for this run. */
  retry: RetryPolicy;
  /** Members waiting for their next probe, each with its own not-before time. */
  queue: MemberQueue<SearchTask>;
  /** How each member's search ended, by fid: the summary reads it in roster order. */
  results: Map<string, MemberDiscovery>;
  /** Found members' catch-up, batched so one found member does not start one catch-up each. */
  catchUp: CatchUpBatches;
  /** The impossible code every probe of this search sends: the game's answer tells the state, never redeems. */
  probeCode: string;
  /** Stops this search alone (a malformed-request answer), without the process shutdown. */
  stop: AbortController;
  /** Ends every wait and call: this search's stop or the process shutdown. */
  signal: AbortSignal;
  /** Whether a redemption run is using the same API host: probes wait for it. */
  busy: () => boolean;
  /** The answer that stopped the search as malformed, if one did: the summary reports it. */
  configError: Classification | null;
  /** Calls sent, for the summary and the finish log. */
  probes: number;
  /** Answers that said nothing about the state (busy, throttled, lost). */
  transient: number;
  /** Of those, the ones the game throttled. */
  rateLimited: number;
}

/** Records how one member's search ended and tells the caller. */
export function finishMember(
  run: SearchRun,
  task: SearchTask,
  outcome: MemberDiscovery['outcome'],
  state: number | null,
  why: SearchWhy | null,
): void {
  const result: MemberDiscovery = {
    fid: task.member.fid,
    name: task.member.name,
    outcome,
    state,
    previousState: task.member.state,
    probes: task.probes,
    ruledOut: task.ruledOut,
    candidatesLeft: Math.max(0, task.candidates.length - task.next - (outcome === 'found' ? 1 : 0)),
    reason: why ? t('en', `stateSearch.why.${why.key}`, why.vars) : null,
    why,
  };
  run.results.set(task.member.fid, result);
  try {
    run.options.onMember?.(result);
  } catch (error) {
    // A progress display that fails must not stop the search.
    run.deps.log.warn(
      { event: EVENTS.stateProgressFailed, guildId: run.alliance.guildId, fid: result.fid, err: error },
      'state discovery progress callback failed',
    );
  }
}
