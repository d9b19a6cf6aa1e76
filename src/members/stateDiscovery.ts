import type { Game } from '../game/games.ts';
import type { AllianceRecord } from '../store/types.ts';
import { countDiscoveries, describeDiscovery, type DiscoverySummary } from './discoverySummary.ts';
import { planStateSearch } from './planStateSearch.ts';
import { runStateSearch, type ResolveOptions, type StateDiscoveryDeps } from './stateSearchRun.ts';

export type { ResolveOptions, StateDiscoveryDeps } from './stateSearchRun.ts';

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

export function createStateDiscovery(deps: StateDiscoveryDeps): StateDiscovery {
  const { store } = deps;
  const running = new Map<string, Promise<DiscoverySummary>>();

  function emptySummary(
    guildId: string,
    game: Game | null,
    status: DiscoverySummary['status'],
    message: string,
  ): DiscoverySummary {
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

  /** Each alliance of the server in turn (each with its game and centre state), as one report. */
  async function searchAlliances(
    alliances: readonly AllianceRecord[],
    options: ResolveOptions,
  ): Promise<DiscoverySummary> {
    const summaries: DiscoverySummary[] = [];
    for (const alliance of alliances) {
      const summary = await runStateSearch(deps, alliance, options);
      summaries.push(summary);
      if (summary.status !== 'completed') break;
    }
    return mergeDiscoveries(summaries, onlyGame(alliances));
  }

  return {
    async resolve(guildId, options = {}) {
      const alliances = await store.alliances.list({ guildId });
      if (alliances.length === 0)
        return emptySummary(guildId, null, 'refused', `This server has no alliance set up yet (guild ${guildId}).`);
      if (running.has(guildId)) {
        return emptySummary(
          guildId,
          onlyGame(alliances),
          'already-running',
          'A state lookup for this alliance is already running; its report comes when it ends.',
        );
      }
      const promise = searchAlliances(alliances, options).finally(() => running.delete(guildId));
      running.set(guildId, promise);
      return promise;
    },
    isRunning: (guildId) => running.has(guildId),
    async pendingGuilds() {
      const pending: string[] = [];
      for (const alliance of await store.alliances.list()) {
        if (pending.includes(alliance.guildId)) continue;
        // Started (some state ruled out) and not over (states left to try).
        const tasks = await planStateSearch(store, alliance, { range: deps.range, write: false });
        if (tasks.some((task) => task.candidates.length > 0 && task.ruledOut > 0)) pending.push(alliance.guildId);
      }
      return pending;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled(running.values());
    },
  };
}

/** The game of the alliances when they share one (the summary's `game`), else null. */
function onlyGame(alliances: readonly AllianceRecord[]): Game | null {
  const games = new Set(alliances.map((alliance) => alliance.game));
  return games.size === 1 ? alliances[0]!.game : null;
}

/** One report for a server from its alliances' searches; a single alliance's report is returned as it is. */
function mergeDiscoveries(summaries: readonly DiscoverySummary[], game: Game | null): DiscoverySummary {
  if (summaries.length === 1) return summaries[0]!;
  const stopped = summaries.find((summary) => summary.status !== 'completed');
  const members = summaries.flatMap((summary) => summary.members);
  const sum = (key: 'probes' | 'transient' | 'rateLimited' | 'durationMs') =>
    summaries.reduce((n, summary) => n + summary[key], 0);
  const merged: DiscoverySummary = {
    status: stopped?.status ?? 'completed',
    guildId: summaries[0]!.guildId,
    game,
    members,
    counts: countDiscoveries(members),
    probes: sum('probes'),
    transient: sum('transient'),
    rateLimited: sum('rateLimited'),
    catchUp: summaries.flatMap((summary) => summary.catchUp),
    catchUpSkipped: summaries.find((summary) => summary.catchUpSkipped)?.catchUpSkipped ?? null,
    durationMs: sum('durationMs'),
    message: '',
  };
  merged.message = stopped ? stopped.message : describeDiscovery(merged);
  return merged;
}
