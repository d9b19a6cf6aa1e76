import type { Hold } from './hold.ts';
import { judgeOpenHolds, reportOrphans } from './holdProblems.ts';
import { numberField, stringField, type LogRecord } from './logRecord.ts';
import type { InProgress } from './logReport.ts';
import type { ProblemList } from './problemList.ts';

export interface LockHolds {
  processStarted(record: LogRecord): void;
  acquired(record: LogRecord, guildId: string, code: string): void;
  released(record: LogRecord, guildId: string | null, code: string | null): void;
  lost(record: LogRecord, guildId: string | null, code: string | null): void;
  byRun(runId: number): Hold | undefined;
  /** Reports holds whose holder died, and holds open too long; returns the younger ones still open. */
  finish(): InProgress[];
}

/**
 * Follows lock holds line by line. Memory is bounded by the holds open at once (plus orphans, which are problems).
 * Holds are keyed by pid as well as (guild, code) so that two processes in one log are told apart.
 */
export function createLockHolds(options: { now: number; stuckAfterMs: number }, problems: ProblemList): LockHolds {
  const holdsByKey = new Map<string, Hold>();
  const holdsByRun = new Map<number, Hold>();
  /** Holds whose holder is gone while still holding; reported at the end unless a release turns up after all. */
  const orphaned = new Set<Hold>();

  function holdKey(record: LogRecord, guildId: string, code: string): string {
    return `${record.pid ?? '?'}|${guildId}|${code}`;
  }

  function orphan(hold: Hold, by: LogRecord): void {
    holdsByKey.delete(hold.key);
    if (hold.runId !== null && holdsByRun.get(hold.runId) === hold) holdsByRun.delete(hold.runId);
    // A hold that already said it lost its lock did not outlive its holder unnoticed: lock_lost covers it.
    if (hold.lost) return;
    hold.supersededBy = by;
    orphaned.add(hold);
  }

  function acquired(record: LogRecord, guildId: string, code: string): void {
    const key = holdKey(record, guildId, code);
    const runId = numberField(record, 'runId');
    const game = stringField(record, 'game');
    const existing = holdsByKey.get(key);
    if (existing) {
      // The engine logs its own lock_acquired (with the run id) right after the Redis layer's: the same hold.
      if (existing.runId === null || runId === null || existing.runId === runId) {
        if (existing.runId === null && runId !== null) {
          existing.runId = runId;
          holdsByRun.set(runId, existing);
        }
        existing.game ??= game;
        existing.last = record;
        return;
      }
      orphan(existing, record);
    }
    const guildCode = `${guildId}|${code}`;
    // Another holder got this (guild, code) while an earlier hold is open: the earlier holder is gone, or lost it.
    for (const other of holdsByKey.values()) {
      if (other.guildCode === guildCode) orphan(other, record);
    }
    const hold: Hold = {
      key,
      guildCode,
      pid: record.pid,
      guildId,
      code,
      game,
      runId,
      acquired: record,
      last: record,
      results: 0,
      lost: false,
      supersededBy: null,
    };
    holdsByKey.set(key, hold);
    if (runId !== null) holdsByRun.set(runId, hold);
  }

  function findHold(record: LogRecord, guildId: string | null, code: string | null): Hold | undefined {
    const runId = numberField(record, 'runId');
    if (runId !== null) {
      const byRun = holdsByRun.get(runId);
      if (byRun) return byRun;
    }
    return guildId && code ? holdsByKey.get(holdKey(record, guildId, code)) : undefined;
  }

  function released(record: LogRecord, guildId: string | null, code: string | null): void {
    const hold = findHold(record, guildId, code);
    if (hold) {
      holdsByKey.delete(hold.key);
      if (hold.runId !== null) holdsByRun.delete(hold.runId);
      return;
    }
    // Released after all (e.g. two processes ran the same code on the local lock alone): not an orphan.
    for (const gone of orphaned) {
      if (
        gone.key === (guildId && code ? holdKey(record, guildId, code) : null) ||
        (gone.runId !== null && gone.runId === numberField(record, 'runId'))
      ) {
        orphaned.delete(gone);
        return;
      }
    }
  }

  function processStarted(record: LogRecord): void {
    // The same pid starting again (a container restart reuses pids) means its earlier holds died with it.
    for (const hold of holdsByKey.values()) {
      if (hold.pid === record.pid) orphan(hold, record);
    }
  }

  function finish(): InProgress[] {
    reportOrphans(orphaned, problems);
    return judgeOpenHolds(holdsByKey.values(), options, problems);
  }

  return {
    processStarted,
    acquired,
    released,
    lost(record, guildId, code) {
      const hold = findHold(record, guildId, code);
      if (hold) hold.lost = true;
    },
    byRun: (runId) => holdsByRun.get(runId),
    finish,
  };
}
