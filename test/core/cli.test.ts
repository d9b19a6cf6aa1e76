import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';

const run = promisify(execFile);
const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const CLI = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
const GUILD = '900000000000000042';

let h: CoreHarness;
beforeAll(async () => {
  h = await startCoreHarness();
  // The CLI owns the database here; the harness app is closed so nothing else writes.
  await h.app.close();
});
afterAll(async () => h.close());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(NODE, [CLI, ...args], {
      env: { ...process.env, ...h.env, LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('giftbot CLI', () => {
  it('sets up an alliance, imports members and redeems a code, printing the summary as JSON', async () => {
    expect((await cli('guild', 'add', GUILD, '--game', 'wos', '--state', '245', '--auto', 'on')).stdout).toContain(
      'Added guild',
    );
    const csv = join(h.dir, 'roster.csv');
    writeFileSync(csv, 'fid,state,name\n70000001,245,Ann\n70000002,,"Bo, the Second"\n70000003,245,Cy\n');
    const imported = await cli('members', 'import', GUILD, csv);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported 3 member(s)');
    expect((await cli('members', 'list', GUILD)).stdout).toContain('Bo, the Second');
    for (const fid of ['70000001', '70000002', '70000003']) h.sim.addPlayer('wos', { fid, kid: 245 });
    h.sim.addCode('wos', 'CLICODE1');

    const redeemed = await cli('redeem', GUILD, 'CLICODE1', '--json');
    expect(redeemed.code).toBe(0);
    const summary = JSON.parse(redeemed.stdout);
    expect(summary).toMatchObject({
      status: 'completed',
      code: 'CLICODE1',
      counts: { success: 3, total: 3 },
      apiCalls: 3,
    });
    expect(summary.members.map((m: { fid: string }) => m.fid)).toEqual(['70000001', '70000002', '70000003']);

    const again = await cli('redeem', GUILD, 'CLICODE1');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to send for CLICODE1');
    expect((await cli('codes', 'list')).stdout).toMatch(/CLICODE1\s+wos\s+valid\s+cli .* redeemed 3/);
  });

  it('an expired code exits 3 after one call', async () => {
    h.sim.addCode('wos', 'CLIOLD', { status: 'expired' });
    const result = await cli('redeem', GUILD, 'CLIOLD');
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('has expired');
    expect(h.sim.calls.filter((c) => c.cdk === 'CLIOLD')).toHaveLength(1);
  });

  it.each([
    [['redeem', GUILD], 'A guild id and a code are required'],
    [['redeem', GUILD, 'bad code!'], 'Not a valid gift code'],
    // A tab inside a code is refused, not stripped into ABCD12 and sent to the game.
    [['redeem', GUILD, 'AB\tCD12'], 'Not a valid gift code: "AB\\tCD12" contains a tab (U+0009)'],
    [['codes', 'add', 'AB\nCD12', '--game', 'wos'], 'Not a gift code: "AB\\nCD12" contains a line break (U+000A)'],
    [['members', 'add', GUILD, 'notanumber'], 'is not a player id'],
    [['members', 'add', '1234', '5555'], 'is not set up'],
    [['guild', 'add', 'abc', '--game', 'chess'], '--game must be wos or kingshot'],
    [['frobnicate'], 'unknown command'],
    [['redeem', GUILD, 'X', '--bogus'], 'Unknown option'],
  ])('bad input %j → a clear message and a non-zero exit', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(message);
  });

  it('a CSV with a bad line imports nothing and says which line', async () => {
    const csv = join(h.dir, 'bad.csv');
    writeFileSync(csv, '71000001,245,Good\nnot-a-fid,245,Bad\n71000001,245,Dup\n');
    const result = await cli('members', 'import', GUILD, csv);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('line 2: "not-a-fid" is not a player id');
    expect(result.stdout).toContain('line 3: player 71000001 is already on line 1');
    expect((await cli('members', 'list', GUILD)).stdout).not.toContain('71000001');
  });

  it('a spreadsheet header in another order imports; a binary file is refused in one line, nothing imported', async () => {
    const sheet = join(h.dir, 'sheet.csv');
    writeFileSync(sheet, 'Name,FID,State\n"Ana, the first",72000001,245\nBo,72000002,\n');
    const imported = await cli('members', 'import', GUILD, sheet, '--no-catch-up');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Imported 2 member(s)');
    expect((await cli('members', 'list', GUILD)).stdout).toContain('Ana, the first');

    const xlsx = join(h.dir, 'roster.xlsx');
    writeFileSync(
      xlsx,
      Buffer.concat([Buffer.from('PK\x03\x04\x14\x00'), Buffer.alloc(200_000, 0x0a), Buffer.alloc(200_000, 0x41)]),
    );
    const refused = await cli('members', 'import', GUILD, xlsx);
    expect(refused.code).toBe(2);
    expect(`${refused.stdout}${refused.stderr}`.trim().split('\n')).toHaveLength(1);
    expect(refused.stdout + refused.stderr).toContain('it is a binary file, not CSV');
  });

  it('a broken configuration lists every problem and exits 1', async () => {
    const { code, stderr } = await (async () => {
      try {
        await run(NODE, [CLI, 'codes', 'list'], {
          env: { ...process.env, ...h.env, RATE_LIMIT_PER_MINUTE: 'fast', REDIS_URL: 'http://x', DISCORD_TOKEN: 'abc' },
        });
        return { code: 0, stderr: '' };
      } catch (error) {
        return error as { code: number; stderr: string };
      }
    })();
    expect(code).toBe(1);
    expect(stderr).toContain('3 problem(s)');
    expect(stderr).toContain('RATE_LIMIT_PER_MINUTE must be a whole number');
    expect(stderr).toContain('REDIS_URL must start with redis:// or rediss://');
    expect(stderr).toContain('DISCORD_APPLICATION_ID is required');
  });
});

describe('npm run demo', () => {
  it('runs offline on a fresh checkout and shows the duplicate and the expired code', async () => {
    const { stdout } = await run(NODE, [new URL('../../src/dev/demo/demo.ts', import.meta.url).pathname], {
      env: { ...process.env, LOG_LEVEL: 'silent', DISCORD_TOKEN: '' },
      cwd: h.dir,
    });
    expect(stdout).toContain('second trigger: duplicate');
    expect(stdout).toMatch(/3\) An expired code:[\s\S]*API calls: 1\./);
    expect(stdout).toContain('Demo finished: every member was called once');
  });
});
