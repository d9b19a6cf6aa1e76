import { DatabaseSync } from 'node:sqlite';
import type { SimulatorCall } from '../../../src/dev/simulator/types.ts';
import type { LedgerRow } from '../../../src/store/types.ts';

/**
 * The invariants `npm run chaos` checks per repetition, from ground truth: the simulator's call record (each call
 * attributed to a process by its source address), the ledger and the answer journal in the database file.
 */

/** err_codes after which the game will not change its mind: SUCCESS, RECEIVED, SAME TYPE. */
const FINAL_ERR_CODES = new Set([20000, 40008, 40011]);

export interface ChaosChecks {
  calls: number;
  /** Pairs of runs in different processes whose calls for the code overlap in time. Always 0. */
  overlaps: number;
  /** Calls from an address no worker had (attribution broken). Always 0. */
  unattributed: number;
  /** Re-calls after a final answer that the design allows: one per player, by another process (a crash's in-flight). */
  repeats: number;
  /** Any other re-call after a final answer (a second repeat, or a repeat by the same process). Always 0. */
  excessRepeats: number;
  /** A SUCCESS the game gave that neither the ledger nor the answer journal kept (unless its caller was killed). */
  lostAnswers: number;
  rateLimited: number;
  /** The calls of each player behind an excess repeat or a lost answer, to find the cause. */
  evidence: { fid: string; calls: { ip: string; at: number; httpStatus: number; errCode?: number }[] }[];
}

/**
 * `runStarts`: per source address, the moments (parent's clock) its runs of this code started, ascending. A call
 * belongs to the latest run of its address started before it (or the first, for a call read before its start line).
 */
export function checkRepetition(input: {
  calls: readonly SimulatorCall[];
  code: string;
  ledger: readonly LedgerRow[];
  dbPath: string;
  runStarts: ReadonlyMap<string, readonly number[]>;
  killedAddresses: ReadonlySet<string>;
}): ChaosChecks {
  const mine = input.calls.filter((call) => call.cdk === input.code && call.fid);
  const spans = new Map<string, { ip: string; first: number; last: number }>();
  let unattributed = 0;
  for (const call of mine) {
    const starts = input.runStarts.get(call.ip);
    if (!starts) {
      unattributed += 1;
      continue;
    }
    let run = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i]! <= call.at) run = i;
    const key = `${call.ip}#${run}`;
    const span = spans.get(key) ?? { ip: call.ip, first: call.at, last: call.at };
    span.first = Math.min(span.first, call.at);
    span.last = Math.max(span.last, call.at);
    spans.set(key, span);
  }
  const list = [...spans.values()];
  let overlaps = 0;
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.ip !== b.ip && a.first <= b.last && b.first <= a.last) overlaps += 1;
    }
  }

  const byFid = new Map<string, SimulatorCall[]>();
  for (const call of mine) byFid.set(call.fid!, [...(byFid.get(call.fid!) ?? []), call]);
  const journaled = journaledSuccesses(input.dbPath, input.code);
  const rows = new Map(input.ledger.map((row) => [row.fid, row]));
  let repeats = 0;
  let excessRepeats = 0;
  let lostAnswers = 0;
  const evidence: ChaosChecks['evidence'] = [];
  const keep = (fid: string, calls: readonly SimulatorCall[]): void => {
    evidence.push({
      fid,
      calls: calls.map(({ ip, at, httpStatus, errCode }) => ({
        ip,
        at,
        httpStatus,
        ...(errCode === undefined ? {} : { errCode }),
      })),
    });
  };
  for (const [fid, calls] of byFid) {
    const firstFinal = calls.findIndex((call) => call.errCode !== undefined && FINAL_ERR_CODES.has(call.errCode));
    if (firstFinal >= 0) {
      const after = calls.slice(firstFinal + 1);
      if (after.length === 1 && after[0]!.ip !== calls[firstFinal]!.ip) repeats += 1;
      else if (after.length > 0) {
        excessRepeats += after.length;
        keep(fid, calls);
      }
    }
    const success = calls.find((call) => call.errCode === 20000);
    if (
      success &&
      rows.get(fid)?.status !== 'success' &&
      !journaled.has(fid) &&
      !input.killedAddresses.has(success.ip)
    ) {
      lostAnswers += 1;
      keep(fid, calls);
    }
  }
  return {
    calls: mine.length,
    overlaps,
    unattributed,
    repeats,
    excessRepeats,
    lostAnswers,
    rateLimited: mine.filter((call) => call.httpStatus === 429).length,
    evidence,
  };
}

function journaledSuccesses(dbPath: string, code: string): Set<string> {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const rows = db.prepare('SELECT fid FROM answer_journal WHERE code = ? AND err_code = 20000').all(code);
    return new Set(rows.map((row) => String(row.fid)));
  } finally {
    db.close();
  }
}
