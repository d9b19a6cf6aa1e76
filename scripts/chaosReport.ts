import type { ChaosChecks } from '../test/support/cluster/chaosChecks.ts';
import type { Fault } from './chaosFaults.ts';

/** One repetition of `npm run chaos`, as measured from ground truth. */
export interface Repetition extends ChaosChecks {
  fault: Fault;
  /** The process the run started in: name and source address. */
  holder: string;
  /** Why it does not count (e.g. the killed process was not the one running), or null. */
  voidReason: string | null;
  faultAfterCalls: number;
  faultMs: number;
  duplicatesAfterFinal: number;
  staleWritesAccepted: number;
  staleWritesRefused: number;
  unfinished: number;
  /** Most calls for the code, all processes together, in any sliding budget window. */
  busiestWindow: number;
  /** Fault → the next call for the code at the game. */
  recoveryMs: number | null;
  /** Fault → every member final. */
  completionMs: number | null;
}

/** Prints one row per fault kind on stdout; false when any invariant broke or a kind has no counted repetition. */
export function printTable(
  all: readonly Repetition[],
  faults: readonly Fault[],
  info: { header: string; crashes: number; sqliteBusy: number; rateLimit: number },
): boolean {
  const columns = [
    'fault',
    'reps',
    'void',
    'overlaps',
    'repeats',
    'excess',
    'stale ok',
    'lost',
    'unfinished',
    '429s',
    'busiest',
    'worst recovery',
  ];
  const rows: string[][] = [];
  let broken = info.crashes + info.sqliteBusy;
  let uncounted = 0;
  for (const fault of faults) {
    const mine = all.filter((r) => r.fault === fault);
    const counted = mine.filter((r) => r.voidReason === null);
    if (counted.length === 0) uncounted += 1;
    const sum = (f: (r: Repetition) => number): number => mine.reduce((n, r) => n + f(r), 0);
    const recoveries = counted.map((r) => r.recoveryMs).filter((v): v is number => v !== null);
    const busiest = Math.max(0, ...mine.map((r) => r.busiestWindow));
    broken += sum((r) => violations(r, info.rateLimit));
    rows.push([
      fault,
      String(counted.length),
      String(mine.length - counted.length),
      String(sum((r) => r.overlaps + r.unattributed)),
      String(sum((r) => r.repeats)),
      String(sum((r) => r.excessRepeats + r.duplicatesAfterFinal)),
      `${sum((r) => r.staleWritesAccepted)} (refused ${sum((r) => r.staleWritesRefused)})`,
      String(sum((r) => r.lostAnswers)),
      String(sum((r) => r.unfinished)),
      String(sum((r) => r.rateLimited)),
      `${busiest}/${info.rateLimit}`,
      recoveries.length ? `${Math.max(...recoveries)} ms` : 'n/a',
    ]);
  }
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const ok = broken === 0 && uncounted === 0;
  console.log(
    [
      '',
      info.header,
      line(columns),
      ...rows.map(line),
      `crashes ${info.crashes}, SQLITE_BUSY ${info.sqliteBusy}; repeats: the allowed in-flight repeat (one per player, by another process); excess: any other re-call after a final answer`,
      ok
        ? 'every invariant held'
        : `FAILED: ${broken} violation(s)${uncounted ? `, ${uncounted} fault kind(s) with no repetition that counted` : ''}`,
    ].join('\n'),
  );
  return ok;
}

/** The invariants a repetition broke: overlaps, excess repeats, stale writes accepted, lost answers, unfinished members, 429s, a window over the limit. */
export function violations(r: Repetition, rateLimit: number): number {
  return (
    r.overlaps +
    r.unattributed +
    r.excessRepeats +
    r.duplicatesAfterFinal +
    r.staleWritesAccepted +
    r.lostAnswers +
    r.unfinished +
    r.rateLimited +
    (r.busiestWindow > rateLimit ? 1 : 0)
  );
}
