import { formatDuration, type Rate } from './durations.ts';
import type { LogRecord } from './logRecord.ts';
import type { Problem } from './logReport.ts';
import { evidence, iso, type ProblemList } from './problemList.ts';

export interface RateLimitStorms {
  rateLimited(record: LogRecord): void;
  /** Reports the storm still open at the end of the log, if any. */
  finish(): void;
}

/**
 * Finds bursts of `api.rate_limited` lines: `count` within `windowMs` opens a storm, and it stays one storm while
 * 429s keep coming within the window. Only the last `count` lines are held.
 */
export function createRateLimitStorms(rate: Rate, problems: ProblemList): RateLimitStorms {
  const recent429: LogRecord[] = [];
  let storm: { problem: Problem; count: number; first: LogRecord; last: LogRecord } | null = null;

  function closeStorm(): void {
    if (!storm) return;
    const { problem, count, first, last } = storm;
    problem.message = `429 storm: ${count} rate-limited answers between ${iso(first.time)} and ${iso(last.time)} (${formatDuration(last.time! - first.time!)}); the budget is above what the server allows, or another client shares the IP`;
    problem.evidence = first === last ? [evidence(first)] : [evidence(first), evidence(last)];
    problems.report(problem);
    storm = null;
  }

  return {
    rateLimited(record) {
      if (record.time === null) return;
      const { count, windowMs } = rate;
      recent429.push(record);
      while (recent429.length > 0 && record.time - recent429[0]!.time! > windowMs) recent429.shift();
      if (recent429.length > count) recent429.shift();
      if (recent429.length < count) return;
      if (storm && record.time - storm.last.time! <= windowMs) {
        storm.count += 1;
        storm.last = record;
        return;
      }
      closeStorm();
      const first = recent429[0]!;
      const problem: Problem = { kind: 'rate-limit-storm', message: '', evidence: [] };
      storm = { problem, count, first, last: record };
    },
    finish: closeStorm,
  };
}
