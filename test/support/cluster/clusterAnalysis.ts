import { DatabaseSync } from 'node:sqlite';
import type { SimulatorCall } from '../../../src/dev/simulator/gameApiSimulator.ts';
import type { LedgerRow } from '../../../src/store/types.ts';

/**
 * Measures the invariants of docs/locking.md from ground truth: the simulator's call record (what the game
 * saw) and the SQLite file (what giftbot recorded), never from giftbot's own account of itself.
 */

/** err_codes after which the game will not change its mind about a (player, code): SUCCESS, RECEIVED, SAME TYPE. */
const FINAL_ERR_CODES = new Set([20000, 40008, 40011]);

export interface CallAnalysis {
  /** Redemption calls the game received for the code. */
  calls: number;
  /** Players called at least once. */
  playersCalled: number;
  /** Calls beyond the first final answer for a player: every kind of repeat. */
  repeatCalls: number;
  /**
   * Repeats sent after the player's final result was already in the ledger: a real duplicate, which the fenced claim
   * must make impossible. Always 0.
   */
  duplicatesAfterFinal: number;
  /** The players concerned, for a report. */
  duplicateFids: string[];
  /**
   * Repeats of a call whose answer was never recorded (the caller was killed or paused with the call in flight): the
   * spec allows these, at most the calls in flight when a holder failed.
   */
  inFlightRepeats: number;
  /** Players the game answered SUCCESS but whose ledger row is not final: a lost result. Always 0 once done. */
  lostResults: number;
  /** 429 answers. */
  rateLimited: number;
}

export function analyzeCalls(
  calls: readonly SimulatorCall[],
  code: string,
  ledger: readonly LedgerRow[],
): CallAnalysis {
  const mine = calls.filter((call) => call.cdk === code && call.fid);
  const byFid = new Map<string, SimulatorCall[]>();
  for (const call of mine) {
    const list = byFid.get(call.fid!) ?? [];
    list.push(call);
    byFid.set(call.fid!, list);
  }
  const rows = new Map(ledger.map((row) => [row.fid, row]));
  let repeatCalls = 0;
  let duplicatesAfterFinal = 0;
  const duplicateFids: string[] = [];
  let lostResults = 0;
  for (const [fid, list] of byFid) {
    const row = rows.get(fid);
    const rowFinal = row && ['success', 'already', 'failed'].includes(row.status);
    const firstFinal = list.findIndex((call) => call.errCode !== undefined && FINAL_ERR_CODES.has(call.errCode));
    if (firstFinal >= 0) {
      for (const call of list.slice(firstFinal + 1)) {
        repeatCalls += 1;
        if (rowFinal && row.finishedAt !== null && row.finishedAt < call.at) {
          duplicatesAfterFinal += 1;
          duplicateFids.push(fid);
        }
      }
    }
    if (list.some((call) => call.errCode === 20000) && !rowFinal) lostResults += 1;
  }
  return {
    calls: mine.length,
    playersCalled: byFid.size,
    repeatCalls,
    duplicatesAfterFinal,
    duplicateFids,
    inFlightRepeats: repeatCalls - duplicatesAfterFinal,
    lostResults,
    rateLimited: mine.filter((call) => call.httpStatus === 429).length,
  };
}

/** The most calls that arrived within any `windowMs` (a sliding window over arrival times). */
export function maxInSlidingWindow(calls: readonly SimulatorCall[], windowMs: number): number {
  const times = calls.map((call) => call.atMono).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * Test instrumentation on the real database file: triggers that copy every fence issued and every ledger write into
 * one audit table, in commit order (writes are serialised by SQLite's write lock). A ledger write carrying a fence
 * lower than one already issued for its (guild, code) is a stale write that got through.
 */
export function installLedgerAudit(dbPath: string): void {
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS test_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL, guild_id TEXT, game TEXT, code TEXT, fid TEXT, fence INTEGER, status TEXT,
      at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    );
    CREATE TRIGGER IF NOT EXISTS audit_fence_insert AFTER INSERT ON fences BEGIN
      INSERT INTO test_audit (kind, guild_id, game, code, fence) VALUES ('fence', NEW.guild_id, NEW.game, NEW.code, NEW.fence);
    END;
    CREATE TRIGGER IF NOT EXISTS audit_fence_update AFTER UPDATE ON fences BEGIN
      INSERT INTO test_audit (kind, guild_id, game, code, fence) VALUES ('fence', NEW.guild_id, NEW.game, NEW.code, NEW.fence);
    END;
    CREATE TRIGGER IF NOT EXISTS audit_ledger_insert AFTER INSERT ON ledger BEGIN
      INSERT INTO test_audit (kind, guild_id, game, code, fid, fence, status) VALUES ('ledger', NEW.guild_id, NEW.game, NEW.code, NEW.fid, NEW.fence, NEW.status);
    END;
    CREATE TRIGGER IF NOT EXISTS audit_ledger_update AFTER UPDATE ON ledger BEGIN
      INSERT INTO test_audit (kind, guild_id, game, code, fid, fence, status) VALUES ('ledger', NEW.guild_id, NEW.game, NEW.code, NEW.fid, NEW.fence, NEW.status);
    END;
  `);
  db.close();
}

export interface FenceAudit {
  /** Fences issued for the code, in order. */
  fences: number[];
  /** Ledger writes (claims and records) accepted. */
  writes: number;
  /** Ledger writes accepted although a newer fence had been issued before them. Always 0. */
  staleWritesAccepted: number;
  /** Accepted ledger writes per fence. */
  writesByFence: Map<number, number>;
}

export function auditFences(dbPath: string, code: string): FenceAudit {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 10000');
  const rows = db.prepare('SELECT kind, guild_id, fence FROM test_audit WHERE code = ? ORDER BY id').all(code);
  db.close();
  const newest = new Map<string, number>();
  const fences: number[] = [];
  const writesByFence = new Map<number, number>();
  let writes = 0;
  let stale = 0;
  for (const row of rows) {
    const guild = String(row.guild_id);
    const fence = Number(row.fence);
    if (row.kind === 'fence') {
      fences.push(fence);
      newest.set(guild, Math.max(newest.get(guild) ?? 0, fence));
    } else {
      writes += 1;
      writesByFence.set(fence, (writesByFence.get(fence) ?? 0) + 1);
      if (fence < (newest.get(guild) ?? 0)) stale += 1;
    }
  }
  return { fences, writes, staleWritesAccepted: stale, writesByFence };
}

/** Every SQLITE_BUSY / "database is locked" that reached a log line or a crash. */
export function sqliteBusyErrors(lines: readonly { [key: string]: unknown }[], raw: readonly string[]): number {
  const busy = /SQLITE_BUSY|database is locked/i;
  return lines.filter((line) => busy.test(JSON.stringify(line))).length + raw.filter((line) => busy.test(line)).length;
}
