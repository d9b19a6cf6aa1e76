import type { LogRecord } from './logRecord.ts';
import type { Evidence, Problem, ProblemKind } from './logReport.ts';

/** Beyond this many problems of one kind, the rest are only counted: a bad log must not flood the report. */
const MAX_PROBLEMS_PER_KIND = 50;
/** Problems are listed most serious first, then in the order their first evidence line appeared. */
const ORDER: readonly ProblemKind[] = [
  'fatal',
  'lock-never-released',
  'run-never-finished',
  'stuck-run',
  'config-errors',
  'answers-not-recorded',
  'rate-limit-storm',
  'feed-down',
];

export interface ProblemList {
  report(problem: Problem): void;
  /** The kept problems, most serious first. */
  sorted(): Problem[];
  omitted: Partial<Record<ProblemKind, number>>;
}

export function createProblemList(maxEvidence: number): ProblemList {
  const problems: Problem[] = [];
  const omitted: Partial<Record<ProblemKind, number>> = {};
  const counts = new Map<ProblemKind, number>();
  return {
    report(problem) {
      const count = (counts.get(problem.kind) ?? 0) + 1;
      counts.set(problem.kind, count);
      if (count > MAX_PROBLEMS_PER_KIND) {
        omitted[problem.kind] = (omitted[problem.kind] ?? 0) + 1;
        return;
      }
      problem.evidence = problem.evidence.slice(0, maxEvidence);
      problems.push(problem);
    },
    sorted() {
      return problems.sort(
        (a, b) =>
          ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || (a.evidence[0]?.lineNo ?? 0) - (b.evidence[0]?.lineNo ?? 0),
      );
    },
    omitted,
  };
}

export function evidence(record: LogRecord): Evidence {
  return { lineNo: record.lineNo, text: record.text };
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
