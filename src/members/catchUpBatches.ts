import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RunSummary } from '../redeem/runSummary.ts';
import type { CatchUpRun } from './discoverySummary.ts';

export type CatchUpFn = (
  guildId: string,
  fids: readonly string[],
) => Promise<{ runs: readonly RunSummary[]; skipped: string | null }>;

export interface CatchUpBatches {
  /** Queues a member whose state was just found. */
  add(fid: string): void;
  /** Resolves when every queued member's catch-up has run. */
  drained(): Promise<void>;
  readonly runs: CatchUpRun[];
  /** Why catch-up did nothing, when it said so. */
  skipped(): string | null;
}

/**
 * Catch-up for members a state search finds, one batch at a time in the background, so found members get their codes
 * while the search goes on.
 */
export function createCatchUpBatches(options: {
  guildId: string;
  catchUp: CatchUpFn | undefined;
  log: Logger;
  shutdownSignal: AbortSignal | undefined;
}): CatchUpBatches {
  const runs: CatchUpRun[] = [];
  const queue: string[] = [];
  let skipped: string | null = null;
  let loop: Promise<void> | null = null;

  async function drain(catchUp: CatchUpFn): Promise<void> {
    while (queue.length > 0 && !options.shutdownSignal?.aborted) {
      const batch = queue.splice(0);
      try {
        const report = await catchUp(options.guildId, batch);
        if (report.skipped) skipped = report.skipped;
        for (const s of report.runs) {
          runs.push({
            code: s.code,
            status: s.status,
            success: s.counts.success,
            already: s.counts.already,
            failed: s.counts.failed,
            message: s.message,
          });
        }
      } catch (error) {
        options.log.error(
          { event: EVENTS.runFailed, guildId: options.guildId, trigger: 'catch-up', err: error },
          'catch-up after state discovery failed',
        );
      }
    }
    loop = null;
  }

  return {
    add(fid) {
      const catchUp = options.catchUp;
      if (!catchUp) return;
      queue.push(fid);
      loop ??= drain(catchUp);
    },
    async drained() {
      while (loop) await loop;
    },
    runs,
    skipped: () => skipped,
  };
}
