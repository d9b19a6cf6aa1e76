import { formatDuration } from './durations.ts';
import type { LogReport } from './logReport.ts';

/** The report as plain text for a terminal or a cron mail: problems first, with their evidence lines. */
export function formatLogReport(report: LogReport, source: string): string[] {
  const out: string[] = [];
  const { lines } = report;
  const span = report.firstTime && report.lastTime ? `, ${report.firstTime} → ${report.lastTime}` : '';
  out.push(`giftbot logs check: ${source}: ${lines.total} line(s), ${lines.parsed} JSON${span}`);
  if (lines.malformed > 0) {
    out.push(
      `  ${lines.malformed} line(s) were not JSON log lines and were skipped (pretty output cannot be checked: run with LOG_FORMAT=json)`,
    );
  }
  if (lines.withoutEvent > 0) out.push(`  ${lines.withoutEvent} JSON line(s) had no \`event\` field`);

  const omitted = Object.values(report.problemsOmitted).reduce((a, b) => a + (b ?? 0), 0);
  out.push('');
  if (report.problems.length === 0) {
    out.push('No problems found.');
  } else {
    out.push(`PROBLEMS (${report.problems.length + omitted}):`);
    report.problems.forEach((problem, i) => {
      out.push(`${i + 1}. [${problem.kind}] ${problem.message}`);
      for (const line of problem.evidence) out.push(`     line ${line.lineNo}: ${line.text}`);
    });
    for (const [kind, n] of Object.entries(report.problemsOmitted))
      out.push(`   … and ${n} more ${kind} problem(s) not shown`);
  }

  if (report.inProgress.length > 0) {
    out.push('', 'Runs holding their lock at the end of the log (younger than the stuck threshold):');
    for (const run of report.inProgress) {
      out.push(
        `  run ${run.runId ?? '?'} ${run.code} guild ${run.guildId}${run.heldMs === null ? '' : `, held ${formatDuration(run.heldMs)}`} (last: line ${run.lastLine.lineNo})`,
      );
    }
  }

  const noteworthy = Object.entries(report.noteworthy).sort((a, b) => b[1] - a[1]);
  if (noteworthy.length > 0) {
    out.push('', 'Expected but noteworthy:');
    for (const [event, n] of noteworthy) out.push(`  ${event.padEnd(32)} ${n}`);
  }
  const errors = Object.entries(report.errors).sort((a, b) => b[1] - a[1]);
  if (errors.length > 0) {
    out.push('', 'Lines at error level or worse, by event:');
    for (const [event, n] of errors) out.push(`  ${event.padEnd(32)} ${n}`);
  }

  if (report.codes.length > 0) {
    out.push('', 'Per code:');
    for (const c of report.codes) {
      const status = c.invalidated ? ` — code ${c.invalidated}` : '';
      out.push(
        `  ${c.game}:${c.code}  runs ${c.runs} (${counts(c.statuses)})  members ${counts(c.members)}  retries ${c.retries}  duplicates ${c.duplicates}  api calls ${c.apiCalls}  429s ${c.rateLimited}${status}`,
      );
    }
  }
  if (report.guilds.length > 0) {
    out.push('', 'Per guild:');
    for (const g of report.guilds) {
      out.push(
        `  ${g.guildId}  runs ${g.runs} over ${g.codes} code(s) (${counts(g.statuses)})  members ${counts(g.members)}  duplicates ${g.duplicates}  refused ${g.refused}`,
      );
    }
  }
  return out;
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key} ${n}`).join(', ');
}
