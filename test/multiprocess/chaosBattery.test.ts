import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorCall } from '../../src/dev/simulator/types.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { checkRepetition } from '../support/cluster/chaosChecks.ts';
import { runCommand } from '../support/runCommand.ts';
import { nodeBinary } from '../support/cluster/workerProcess.ts';
import { FAULTS } from '../../scripts/chaosFaults.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const call = (ip: string, at: number, fid: string, errCode: number): SimulatorCall => ({
  at,
  atMono: at,
  game: 'wos',
  method: 'POST',
  path: '/api/gift_code',
  ip,
  fid,
  cdk: 'CODE1',
  httpStatus: 200,
  errCode,
  counted: true,
});

describe('npm run chaos', () => {
  it('reports two processes calling one code at the same time, and a second repeat of a player', () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-chaos-'));
    const dbPath = join(dir, 'giftbot.sqlite');
    const store = openSqliteStore(dbPath);
    try {
      // Process A's run and process B's run interleave; player 1 is called three times.
      const calls = [
        call('127.0.0.11', 1_000, '1', 20000),
        call('127.0.0.12', 1_100, '2', 20000),
        call('127.0.0.11', 1_200, '3', 20000),
        call('127.0.0.12', 1_300, '1', 40008),
        call('127.0.0.11', 1_400, '1', 40008),
      ];
      const checks = checkRepetition({
        calls,
        code: 'CODE1',
        ledger: [],
        dbPath,
        runStarts: new Map([
          ['127.0.0.11', [900]],
          ['127.0.0.12', [1_050]],
        ]),
        killedAddresses: new Set(),
      });
      expect(checks.overlaps).toBe(1);
      expect(checks.excessRepeats).toBe(2);
      expect(checks.lostAnswers).toBe(3);
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs every fault kind once against real processes and reports each in the table', async () => {
    const result = await runCommand(nodeBinary(), ['scripts/chaos.ts', '--runs', '1'], { cwd: ROOT });
    const row = (fault: string): string[] =>
      (result.stdout.split('\n').find((line) => line.startsWith(`${fault} `)) ?? '').trim().split(/\s+/);
    for (const fault of FAULTS) {
      // fault, reps, void, overlaps, repeats, excess, stale ok, (refused n), lost, unfinished, 429s, busiest, worst recovery
      const [, reps, voided, overlaps, , excess, staleAccepted, , , lost, unfinished, rateLimited] = row(fault);
      expect(
        { fault, reps, voided, excess, staleAccepted, lost, unfinished, rateLimited },
        result.stderr.slice(-4_000),
      ).toEqual({
        fault,
        reps: '1',
        voided: '0',
        excess: '0',
        staleAccepted: '0',
        lost: '0',
        unfinished: '0',
        rateLimited: '0',
      });
      // Also after an operator's DEL of the key: the next holder waits for the calls the old one still has in flight.
      expect(overlaps, fault).toBe('0');
    }
    expect(result.code, result.stdout.slice(-3_000)).toBe(0);
  }, 120_000);
});
