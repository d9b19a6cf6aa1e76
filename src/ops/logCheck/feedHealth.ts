import { formatDuration } from './durations.ts';
import { stringField, type LogRecord } from './logRecord.ts';
import { evidence, iso, type ProblemList } from './problemList.ts';

const FEED_DOWN = new Set(['failing', 'down', 'unhealthy']);
const FEED_UP = new Set(['ok', 'up', 'healthy']);

export interface FeedHealth {
  stateChanged(record: LogRecord): void;
  /** Reports feeds still failing at the end of the log, and failing for long enough to matter. */
  finish(): void;
}

export function createFeedHealth(options: { now: number; feedDownAfterMs: number }, problems: ProblemList): FeedHealth {
  /** Each failing feed with the line where it first went down. */
  const feedsDown = new Map<string, LogRecord>();
  return {
    stateChanged(record) {
      const feed = stringField(record, 'feed') ?? stringField(record, 'source') ?? '?';
      const to = stringField(record, 'to') ?? stringField(record, 'state') ?? '';
      if (FEED_DOWN.has(to)) {
        if (!feedsDown.has(feed)) feedsDown.set(feed, record);
      } else if (FEED_UP.has(to)) {
        feedsDown.delete(feed);
      }
    },
    finish() {
      for (const [feed, since] of feedsDown) {
        const downMs = since.time != null ? options.now - since.time : null;
        if (downMs !== null && downMs >= options.feedDownAfterMs) {
          problems.report({
            kind: 'feed-down',
            feed,
            message: `code feed ${feed} has been failing for ${formatDuration(downMs)} (since ${iso(since.time)}) with no recovery: new codes from it are not being found`,
            evidence: [evidence(since)],
          });
        }
      }
    },
  };
}
