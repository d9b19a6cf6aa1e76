import type { ActiveRuns } from '../locks/activeRuns.ts';
import type { PauseReason, RateBudget } from '../pacing/rateBudget.ts';
import { formatWait } from '../pacing/reportAnswerToBudget.ts';
import type { RedisHealth } from '../redis/redisHealth.ts';
import type { DeferredRun } from '../store/types.ts';

/**
 * What `/giftbot status` and the logs show about this process: can it reach Redis, which runs wait for it, and
 * whether the rate budget is shared with the other processes or running on this process's share. Plain data only,
 * so the Discord command, the CLI and a health endpoint can each render it.
 */
export interface AppStatus {
  instanceId: string;
  /** Epoch ms when this was collected. */
  at: number;
  redis: {
    /** REDIS_URL is set (several processes); false for a single process, where the rest of this block is moot. */
    configured: boolean;
    /** The last check's answer; null when not configured or not checked yet. */
    reachable: boolean | null;
    /** Epoch ms of the last change between reachable and unreachable. */
    since: number | null;
    lastError: string | null;
  };
  /** One per API host. shared: through Redis with every process on the same egress address; fallback: this process's
   * share while Redis is unreachable; local: one process, no Redis. egress: EGRESS_ADDRESS, or 'default'. */
  budgets: {
    host: string;
    egress: string;
    mode: 'shared' | 'fallback' | 'local';
    limit: number;
    windowMs: number;
    available: number;
    waiting: number;
    pausedUntil: number;
    pauseReason: PauseReason | null;
    rateLimited: number;
  }[];
  /** Runs waiting for the shared lock (recorded in the store, so these are every process's). */
  deferredRuns: {
    guildId: string;
    game: string;
    code: string;
    trigger: string;
    reason: string | null;
    deferredAt: number;
    attempts: number;
    nextAttemptAt: number;
  }[];
  /** Runs this process is executing now. */
  activeRuns: {
    guildId: string;
    game: string;
    code: string;
    trigger: string;
    runId: number | null;
    processed: number;
    total: number;
    startedAt: number;
  }[];
}

export interface AppStatusSources {
  instanceId: string;
  health: RedisHealth | null;
  budgets: ReadonlyMap<string, RateBudget>;
  /** EGRESS_ADDRESS (the budgets' identity); null: the system's address, shown as 'default'. */
  egress: string | null;
  deferredRuns: () => Promise<DeferredRun[]>;
  activeRuns: ActiveRuns;
}

export async function collectAppStatus(sources: AppStatusSources): Promise<AppStatus> {
  const { health } = sources;
  const reachable = health ? health.reachable() : null;
  const deferred = await sources.deferredRuns();
  return {
    instanceId: sources.instanceId,
    at: Date.now(),
    redis: {
      configured: health !== null,
      reachable,
      since: health ? health.since() : null,
      lastError: health && reachable === false ? health.lastError() : null,
    },
    budgets: [...sources.budgets].map(([host, budget]) => {
      const snapshot = budget.snapshot();
      // While Redis is known to be down the next acquire goes to the fallback, even if the budget has not noticed yet.
      const mode = !health ? 'local' : snapshot.shared && reachable !== false ? 'shared' : 'fallback';
      return {
        host,
        egress: sources.egress ?? 'default',
        mode,
        limit: snapshot.limit,
        windowMs: snapshot.windowMs,
        available: snapshot.available,
        waiting: snapshot.waiting,
        pausedUntil: snapshot.pausedUntil,
        pauseReason: snapshot.pauseReason,
        rateLimited: snapshot.rateLimitedCount,
      };
    }),
    deferredRuns: deferred.map((row) => ({
      guildId: row.guildId,
      game: row.game,
      code: row.code,
      trigger: row.trigger,
      reason: row.reason,
      deferredAt: row.deferredAt,
      attempts: row.attempts,
      nextAttemptAt: row.nextAttemptAt,
    })),
    activeRuns: sources.activeRuns.list().map((run) => ({
      guildId: run.guildId,
      game: run.game,
      code: run.code,
      trigger: run.trigger,
      runId: run.runId,
      processed: run.progress.processed,
      total: run.progress.total,
      startedAt: run.startedAt,
    })),
  };
}

/** The status as short plain sentences (for a chat reply or a terminal). */
export function describeAppStatus(status: AppStatus): string[] {
  const lines: string[] = [];
  const { redis } = status;
  if (!redis.configured) {
    lines.push('Single process: no Redis configured; the lock and the rate budget are local.');
  } else if (redis.reachable === false) {
    lines.push(
      `Redis is NOT reachable (since ${new Date(redis.since ?? status.at).toISOString()}${redis.lastError ? `: ${redis.lastError}` : ''}). ` +
        'Automatic runs wait until it answers; an admin can force a local run.',
    );
  } else {
    lines.push(
      `Redis is reachable: one lock and one rate budget for every process.${redis.reachable === null ? ' (not checked yet)' : ''}`,
    );
  }
  for (const budget of status.budgets) {
    const mode =
      budget.mode === 'shared'
        ? 'shared with every process on this address'
        : budget.mode === 'fallback'
          ? "this process's share only (Redis unreachable)"
          : 'local';
    lines.push(
      `Budget for ${budget.host} from ${budget.egress === 'default' ? 'the default address' : budget.egress}: ${budget.limit} per ${Math.round(budget.windowMs / 1000)} s, ${mode}; ${budget.waiting} waiting.`,
    );
    const pause = describePause(budget, status.at);
    if (pause) lines.push(`  ${pause}`);
  }
  // State discovery spends the same per-address budget: it takes a slot only while no redemption uses the host.
  lines.push(
    'State probes wait behind redemptions: they are sent only while no run is redeeming on the same API host.',
  );
  if (status.deferredRuns.length === 0) lines.push('No deferred runs.');
  else {
    lines.push(
      `${status.deferredRuns.length} deferred run(s) waiting (for the shared lock, or members to retry later):`,
    );
    for (const run of status.deferredRuns.slice(0, 10)) {
      const next = new Date(run.nextAttemptAt).toISOString().slice(11, 16);
      lines.push(
        `  ${run.code} for ${run.guildId} (${run.trigger}, ${run.attempts} retries so far, next at ${next} UTC${run.reason ? `: ${run.reason}` : ''})`,
      );
    }
  }
  lines.push(
    status.activeRuns.length === 0
      ? 'No run in progress in this process.'
      : `${status.activeRuns.length} run(s) in progress in this process.`,
  );
  return lines;
}

/** "Waiting 4 min for the game's rate limit (its window refills at 14:05:10 UTC)." or null when not paused. */
export function describePause(
  budget: { pausedUntil: number; pauseReason: PauseReason | null },
  now = Date.now(),
): string | null {
  if (!(budget.pausedUntil > now)) return null;
  const until = new Date(budget.pausedUntil).toISOString().slice(11, 19);
  const why = budget.pauseReason === 'retry-after' ? 'the game asked us to wait' : 'its window refills';
  return `Waiting ${formatWait(budget.pausedUntil - now)} for the game's rate limit (${why}; calls resume at ${until} UTC).`;
}
