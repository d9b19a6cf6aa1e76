import { Mutex } from 'async-mutex';
import type { Game } from '../game/games.ts';
import type { RunTrigger } from '../redeem/redeemOptions.ts';

export interface ActiveRun {
  key: string;
  guildId: string;
  game: Game;
  code: string;
  trigger: RunTrigger;
  /** The alliances (ids) this run covers: a trigger for another alliance of the server is queued, not dropped. */
  allianceIds: readonly number[];
  startedAt: number;
  runId: number | null;
  fence: number | null;
  /** A trigger that carried new work arrived while this run was active: run once more when it ends. */
  rerunRequested: boolean;
  /** The alliances that rerun covers (united over every trigger that asked for one). */
  rerunAllianceIds: Set<number>;
  /** Stops this run at its next member (the bot was removed from the server). */
  readonly stopper: AbortController;
  progress: { processed: number; total: number };
  lastProgressAt: number;
}

/**
 * The in-process layer of the run lock: a set of active `guild:game:code` keys. The mutex is held only around the
 * check-and-add and the removal, never around a run.
 */
export interface ActiveRuns {
  tryEnter(
    entry: Omit<
      ActiveRun,
      'rerunRequested' | 'rerunAllianceIds' | 'stopper' | 'progress' | 'lastProgressAt' | 'runId' | 'fence'
    >,
  ): Promise<ActiveRun | null>;
  leave(key: string): Promise<ActiveRun | undefined>;
  get(key: string): ActiveRun | undefined;
  list(): ActiveRun[];
}

export function runKey(guildId: string, game: Game, code: string): string {
  return `${guildId}:${game}:${code}`;
}

export function createActiveRuns(): ActiveRuns {
  const mutex = new Mutex();
  const active = new Map<string, ActiveRun>();
  return {
    tryEnter(entry) {
      return mutex.runExclusive(() => {
        if (active.has(entry.key)) return null;
        const run: ActiveRun = {
          ...entry,
          runId: null,
          fence: null,
          rerunRequested: false,
          rerunAllianceIds: new Set(),
          stopper: new AbortController(),
          progress: { processed: 0, total: 0 },
          lastProgressAt: Date.now(),
        };
        active.set(entry.key, run);
        return run;
      });
    },
    leave(key) {
      return mutex.runExclusive(() => {
        const run = active.get(key);
        active.delete(key);
        return run;
      });
    },
    get: (key) => active.get(key),
    list: () => [...active.values()],
  };
}
