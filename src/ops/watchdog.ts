import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { ActiveRun } from '../locks/activeRuns.ts';

export interface WatchdogOptions {
  activeRuns: { list(): readonly ActiveRun[] };
  log: Logger;
  /** A run holding its lock longer than this is reported. */
  heldAfterMs: number;
  /** A run with no member result for this long is reported. */
  idleAfterMs: number;
  /** How often to look. Default: a tenth of the smaller threshold, between 1 s and 30 s. */
  intervalMs?: number;
  now?: () => number;
}

export type StuckReason = 'held-too-long' | 'no-progress';

export interface Watchdog {
  /** Looks once now (the timer calls this); returns what it reported. */
  check(): { run: ActiveRun; reason: StuckReason }[];
  stop(): void;
}

/**
 * Looks at the active runs on a timer and logs `ops.stuck` once per run and reason. It only reports: the locks free
 * themselves (the active-set entry is removed in the run's `finally`, the Redis key expires with its TTL and the
 * Redis lock's maximum hold time stops a run that holds it too long).
 */
export function startWatchdog(options: WatchdogOptions): Watchdog {
  const now = options.now ?? Date.now;
  const reported = new WeakMap<ActiveRun, Set<StuckReason>>();
  const intervalMs =
    options.intervalMs ??
    Math.min(30_000, Math.max(1_000, Math.round(Math.min(options.heldAfterMs, options.idleAfterMs) / 10)));

  function check(): { run: ActiveRun; reason: StuckReason }[] {
    const found: { run: ActiveRun; reason: StuckReason }[] = [];
    const at = now();
    for (const run of options.activeRuns.list()) {
      const heldMs = at - run.startedAt;
      const idleMs = at - run.lastProgressAt;
      const reasons: StuckReason[] = [];
      if (heldMs >= options.heldAfterMs) reasons.push('held-too-long');
      if (idleMs >= options.idleAfterMs) reasons.push('no-progress');
      for (const reason of reasons) {
        const seen = reported.get(run) ?? new Set<StuckReason>();
        if (seen.has(reason)) continue;
        seen.add(reason);
        reported.set(run, seen);
        found.push({ run, reason });
        options.log.warn(
          {
            event: EVENTS.stuck,
            reason,
            guildId: run.guildId,
            game: run.game,
            code: run.code,
            runId: run.runId,
            fence: run.fence,
            trigger: run.trigger,
            heldMs,
            idleMs,
            thresholdMs: reason === 'held-too-long' ? options.heldAfterMs : options.idleAfterMs,
            processed: run.progress.processed,
            total: run.progress.total,
          },
          reason === 'held-too-long'
            ? `run ${run.runId ?? '?'} of ${run.code} has held its lock for ${Math.round(heldMs / 1000)} s`
            : `run ${run.runId ?? '?'} of ${run.code} has made no progress for ${Math.round(idleMs / 1000)} s (${run.progress.processed}/${run.progress.total} members done)`,
        );
      }
    }
    return found;
  }

  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
