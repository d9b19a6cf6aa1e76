import type { Game } from '../game/games.ts';
import { countDiscoveries, type DiscoverySummary } from './discoverySummary.ts';
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

  return {
    async resolve(guildId, options = {}) {
      const guild = await store.guilds.get(guildId);
      if (!guild)
        return emptySummary(guildId, null, 'refused', `This server has no alliance set up yet (guild ${guildId}).`);
      if (running.has(guildId)) {
        return emptySummary(
          guildId,
          guild.game,
          'already-running',
          'A state lookup for this alliance is already running; its report comes when it ends.',
        );
      }
      const promise = runStateSearch(deps, guild, options).finally(() => running.delete(guildId));
      running.set(guildId, promise);
      return promise;
    },
    isRunning: (guildId) => running.has(guildId),
    async pendingGuilds() {
      const pending: string[] = [];
      for (const guild of await store.guilds.list()) {
        // Started (some state ruled out) and not over (states left to try).
        const tasks = await planStateSearch(store, guild, { range: deps.range, write: false });
        if (tasks.some((task) => task.candidates.length > 0 && task.ruledOut > 0)) pending.push(guild.id);
      }
      return pending;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled(running.values());
    },
  };
}
