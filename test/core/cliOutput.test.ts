import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { runCommand } from '../support/runCommand.ts';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const NODE = join(ROOT, 'node_modules/.bin/node');
const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const GUILD = '900000000000000077';
const execFileAsync = promisify(execFile);

let h: CoreHarness;
beforeAll(async () => {
  h = await startCoreHarness();
  await h.app.close();
});
afterAll(async () => h.close());

/** The CLI through the launcher, from the harness's folder (not the project's), as a user's shell runs it. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runCommand(NODE, [LAUNCHER, ...args], { cwd: h.dir, env: { ...h.env, ...env } });
}

/** On a terminal: `script` gives the command a pseudo-terminal (stdout and stderr both reach it). */
async function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [NODE, LAUNCHER, ...args].map((part) => `'${part}'`).join(' ');
  const { stdout } = await execFileAsync('script', ['-qec', command, '/dev/null'], {
    cwd: h.dir,
    env: { ...process.env, ...h.env, LOG_LEVEL: '', LOG_FORMAT: '', ...env },
  });
  return stdout.replace(/\r/g, '');
}

describe('CLI output: results on stdout, logs on stderr', () => {
  beforeAll(async () => {
    expect((await cli(['guild', 'add', GUILD, '--game', 'wos', '--state', '245'])).code).toBe(0);
    const rows = Array.from({ length: 3000 }, (_, i) => `${80000000 + i},245,Member ${i}`);
    writeFileSync(join(h.dir, 'big.csv'), `${rows.join('\n')}\n`);
    expect((await cli(['members', 'import', GUILD, join(h.dir, 'big.csv'), '--no-catch-up'])).code).toBe(0);
    h.sim.addPlayer('wos', { fid: '80000000', kid: 245 });
    h.sim.addCode('wos', 'OUTPUT1');
  }, 60_000);

  it('--json stays one JSON document on stdout while LOG_LEVEL=info logs go to stderr', async () => {
    const result = await cli(['redeem', GUILD, 'OUTPUT1', '--member', '80000000', '--json'], { LOG_LEVEL: 'info' });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', code: 'OUTPUT1' });
    expect(result.stderr).toContain('"event":"redeem.run_started"');
  });

  it('on a terminal, log lines are short and only warnings unless --verbose asks', async () => {
    const quiet = await onTerminal(['redeem', GUILD, 'OUTPUT1', '--member', '80000000']);
    expect(quiet).toMatch(/^(Nothing to send for OUTPUT1|OUTPUT1: 1 of 1)/m);
    expect(quiet).not.toContain('giftbot [info]');
    expect(quiet).not.toContain('{"level"');
    const verbose = await onTerminal(['redeem', GUILD, 'OUTPUT1', '--member', '80000000', '--verbose']);
    expect(verbose).toMatch(/giftbot \[info\] .+ \(redeem\.\w+\)/);
    expect(verbose).not.toContain('{"level"');
  });

  it('`members list | head -1` ends quietly, without EPIPE', async () => {
    const errFile = join(h.dir, 'list.err');
    const statusFile = join(h.dir, 'list.status');
    const env = { ...process.env, ...h.env, PATH: process.env.PATH ?? '' };
    const piped = await execFileAsync(
      'sh',
      ['-c', `('${NODE}' '${LAUNCHER}' members list ${GUILD} 2>'${errFile}'; echo $? >'${statusFile}') | head -1`],
      { env },
    );
    expect(piped.stdout.trim()).toMatch(/^80000000\s+state 245/);
    expect(readFileSync(errFile, 'utf8')).not.toContain('EPIPE');
    expect(readFileSync(statusFile, 'utf8').trim()).toBe('0');
  });

  it('every command answers --help without touching a database', async () => {
    for (const command of ['guild', 'members', 'redeem', 'codes', 'import', 'logs']) {
      const result = await cli([command, '--help'], { DATABASE_PATH: join(h.dir, 'help', 'never.sqlite') });
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage: giftbot ${command}`));
    }
    expect(existsSync(join(h.dir, 'help'))).toBe(false);
    const top = await cli(['--help']);
    expect(top.stdout).toContain(`Database: ${h.env.DATABASE_PATH}`);
  });

  it('a refusal goes to stderr; a player not on the roster is an error', async () => {
    const refused = await cli(['redeem', '900000000000000099', 'OUTPUT1']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('900000000000000099');
    const stranger = await cli(['redeem', GUILD, 'OUTPUT1', '--member', '12345678']);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('12345678 is not on the roster of guild');
  });

  it("a relative DATABASE_PATH is the project folder's, wherever the CLI runs; a new one is announced", async () => {
    const name = `data/cli-output-test-${process.pid}.sqlite`;
    try {
      const result = await cli(['guild', 'list'], { DATABASE_PATH: name });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`created a new, empty database at ${join(ROOT, name)}`);
      expect(existsSync(join(ROOT, name))).toBe(true);
      expect(existsSync(join(h.dir, name))).toBe(false);
      expect((await cli(['guild', 'list'], { DATABASE_PATH: name })).stderr).not.toContain('created');
      expect((await cli(['--help'], { DATABASE_PATH: name })).stdout).toContain(`Database: ${join(ROOT, name)}`);
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(ROOT, `${name}${suffix}`), { force: true });
    }
  });
});

describe('the demo', () => {
  it('prints its story on stdout and its logs on stderr, and nothing after "Demo finished"', async () => {
    const result = await runCommand(NODE, [LAUNCHER, 'demo'], { cwd: h.dir, env: { LOG_LEVEL: 'info' } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => line.trim().startsWith('{'))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^Demo finished/);
    expect(result.stderr).toContain('"event":"redeem.run_started"');
  }, 60_000);
});
