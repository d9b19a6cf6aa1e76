import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = new URL('../../bench/bench.ts', import.meta.url).pathname;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('npm run bench', () => {
  it('runs one tiny scenario for giftbot and both peers, prints the table and writes valid JSON', async () => {
    dir = mkdtempSync(join(tmpdir(), 'giftbot-bench-test-'));
    const out = join(dir, 'latest.json');
    // Three bot processes one after another: on a loaded machine each takes seconds to start.
    const { stdout } = await run(process.execPath, [BENCH, '--smoke', '--out', out], { timeout: 110_000 });

    expect(stdout).toMatch(/\| smoke\s+\| .* \| giftbot\s+\|/);
    expect(stdout).toMatch(/\| smoke\s+\| .* \| baseline\s+\|/);
    expect(stdout).toMatch(/\| smoke\s+\| .* \| kingshot-bot\s+\|/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      mode: string;
      definitions: Record<string, string>;
      rows: {
        engine: string;
        members: number;
        redeemed: number;
        apiCalls: number;
        callsPerMemberCode: number;
        wallMs: number;
        notMeasured: string | null;
      }[];
      comparisons: { id: string; against: string; wall: number | null }[];
    };
    expect(report.mode).toBe('smoke');
    expect(report.definitions.achievedRate).toContain('window');
    expect(report.rows.map((row) => row.engine)).toEqual(['giftbot', 'baseline', 'kingshot-bot']);
    for (const row of report.rows) {
      expect(row.notMeasured).toBeNull();
      // Every member got the code, and the simulator saw at least one call each.
      expect(row.redeemed).toBe(row.members);
      expect(row.apiCalls).toBeGreaterThanOrEqual(row.members);
      expect(row.wallMs).toBeGreaterThan(0);
    }
    expect(report.rows[0]!.callsPerMemberCode).toBe(1);
    expect(report.comparisons).toEqual([
      expect.objectContaining({ id: 'smoke', against: 'baseline', wall: expect.any(Number) }),
      expect.objectContaining({ id: 'smoke', against: 'kingshot-bot', wall: expect.any(Number) }),
    ]);
  }, 120_000);

  it('refuses an unknown scenario with a clear message and a non-zero exit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'giftbot-bench-test-'));
    const failure = await run(process.execPath, [BENCH, '--only', '9', '--out', join(dir, 'x.json')], {
      timeout: 60_000,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('no such scenario');
  });
});
