import { stringField, type LogRecord } from './logRecord.ts';
import type { Problem } from './logReport.ts';
import { evidence, type ProblemList } from './problemList.ts';

export interface StuckRuns {
  stuck(record: LogRecord, guildId: string | null, code: string | null, runId: number | null): void;
  finish(): void;
}

/** The watchdog's own `stuck` lines: one problem per run, however many times the watchdog repeated itself. */
export function createStuckRuns(problems: ProblemList): StuckRuns {
  const stuckReports = new Map<string, Problem>();
  return {
    stuck(record, guildId, code, runId) {
      const key = runId !== null ? `run:${runId}` : `${record.pid}|${guildId}|${code}`;
      const existing = stuckReports.get(key);
      if (existing) {
        existing.evidence.push(evidence(record));
        return;
      }
      const problem: Problem = {
        kind: 'stuck-run',
        message: `the watchdog reported run ${runId ?? '?'} of ${code ?? '?'} for guild ${guildId ?? '?'} as stuck (${stringField(record, 'reason') ?? 'see the line'})`,
        ...(guildId ? { guildId } : {}),
        ...(code ? { code } : {}),
        ...(runId !== null ? { runId } : {}),
        evidence: [evidence(record)],
      };
      stuckReports.set(key, problem);
    },
    finish() {
      for (const problem of stuckReports.values()) problems.report(problem);
    },
  };
}
