import { EVENTS } from '../../log/events.ts';
import { formatDuration } from './durations.ts';
import type { Hold } from './hold.ts';
import type { LogRecord } from './logRecord.ts';
import type { InProgress, Problem, ProblemKind } from './logReport.ts';
import { evidence, iso, type ProblemList } from './problemList.ts';

/** At the end of the log: a hold whose holder died while holding is a lock that was never released. */
export function reportOrphans(orphaned: Iterable<Hold>, problems: ProblemList): void {
  for (const hold of orphaned) {
    const by = hold.supersededBy!;
    const why =
      by.event === EVENTS.appStarting
        ? `process ${hold.pid} started again`
        : `another holder (pid ${by.pid ?? '?'}) took the lock on line ${by.lineNo}`;
    problems.report(
      holdProblem(
        hold,
        'lock-never-released',
        `lock for ${hold.code} in guild ${hold.guildId} (run ${hold.runId ?? '?'}, pid ${hold.pid ?? '?'}) was acquired on line ${hold.acquired.lineNo} and never released: ${why}; the holder died mid-run after ${hold.results} member result(s)`,
        [by],
      ),
    );
  }
}

/** At the end of the log: holds still open past the stuck threshold are problems; younger ones are runs in progress. */
export function judgeOpenHolds(
  open: Iterable<Hold>,
  options: { now: number; stuckAfterMs: number },
  problems: ProblemList,
): InProgress[] {
  const ago = (from: LogRecord | null): number | null => (from?.time != null ? options.now - from.time : null);
  const inProgress: InProgress[] = [];
  for (const hold of open) {
    const heldMs = ago(hold.acquired);
    if (heldMs !== null && heldMs >= options.stuckAfterMs) {
      const idle = ago(hold.last);
      problems.report(
        holdProblem(
          hold,
          'run-never-finished',
          `run ${hold.runId ?? '?'} of ${hold.code} for guild ${hold.guildId} (pid ${hold.pid ?? '?'}) took its lock at ${iso(hold.acquired.time)} and, ${formatDuration(heldMs)} later, has neither finished nor released it; its last line was ${idle === null ? 'of unknown age' : `${formatDuration(idle)} old`}, after ${hold.results} member result(s)`,
          [],
        ),
      );
    } else {
      inProgress.push({
        guildId: hold.guildId,
        code: hold.code,
        runId: hold.runId,
        heldMs,
        lastLine: evidence(hold.last),
      });
    }
  }
  return inProgress;
}

function holdProblem(hold: Hold, kind: ProblemKind, message: string, extra: LogRecord[]): Problem {
  const lines = [hold.acquired, ...(hold.last !== hold.acquired ? [hold.last] : []), ...extra];
  return {
    kind,
    message,
    guildId: hold.guildId,
    code: hold.code,
    ...(hold.runId !== null ? { runId: hold.runId } : {}),
    evidence: lines.map(evidence),
  };
}
