import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { GatewayIntentBits } from 'discord.js';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { runCommand } from '../support/runCommand.ts';
import { NODE, ROOT } from './helpers.ts';

const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const dir = mkdtempSync(join(tmpdir(), 'giftbot-startfail-'));
let fake: FakeDiscord | undefined;
let sim: GameApiSimulator | undefined;
afterEach(async () => {
  await fake?.close();
  await sim?.close();
  fake = sim = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function bot(env: Record<string, string>, options: { privilegedIntentsAllowed?: number } = {}) {
  fake = await startFakeDiscord(options);
  sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0 });
  return runCommand(NODE, [LAUNCHER, 'start'], {
    cwd: dir,
    env: {
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      DATABASE_PATH: join(dir, 'bot.sqlite'),
      WOS_API_BASE: sim.apiBase('wos'),
      KINGSHOT_API_BASE: sim.apiBase('kingshot'),
      LOG_FORMAT: 'json',
      ...env,
    },
  });
}

/** The lines on stderr that are neither log lines nor look-alike-key warnings. */
function messages(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('{') && !line.includes('giftbot: warning:'));
}

const file = join(dir, 'a-file');
writeFileSync(file, 'not a folder');
const BAD_PATHS: [string, string, RegExp][] = [
  [
    'under /proc (used to hang)',
    '/proc/giftbot-test/giftbot.sqlite',
    /cannot create the folder \/proc\/giftbot-test \(ENOENT/,
  ],
  ['read-only folder', '/proc/giftbot.sqlite', /cannot write in the folder \/proc \(/],
  ['a file where a folder should be', join(file, 'giftbot.sqlite'), /is a file, not a folder/],
  ['a folder', dir, /is a folder; give a file in it/],
];

describe('a bad DATABASE_PATH: one line naming it, the path and the reason; exit 1; no stack trace', () => {
  it.each(BAD_PATHS)('the CLI: %s', async (_what, path, reason) => {
    const result = await runCommand(NODE, [LAUNCHER, 'guild', 'list'], { cwd: dir, env: { DATABASE_PATH: path } });
    expect(result.code).toBe(1);
    expect(messages(result.stderr)).toEqual([expect.stringMatching(reason)]);
    expect(result.stderr).toContain(`DATABASE_PATH=${path}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('npm start (the bot) under /proc', async () => {
    const result = await bot({ DATABASE_PATH: '/proc/giftbot-test/giftbot.sqlite' });
    expect(result.code).toBe(1);
    expect(messages(result.stderr)).toEqual([
      'giftbot: cannot start: DATABASE_PATH=/proc/giftbot-test/giftbot.sqlite: cannot create the folder /proc/giftbot-test (ENOENT: no such file or directory)',
    ]);
    expect(result.stderr + result.stdout).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('Discord refusing the bot at start-up: one line that says what to change', () => {
  it('disallowed intents (4014): turn on Message Content', async () => {
    const result = await bot({}, { privilegedIntentsAllowed: GatewayIntentBits.GuildMembers });
    expect(result.code).toBe(1);
    expect(messages(result.stderr)).toEqual([
      expect.stringContaining('turn on Message Content under Privileged Gateway Intents'),
    ]);
  }, 60_000);

  it('a wrong token', async () => {
    const result = await bot({ DISCORD_TOKEN: 'not-the-token' });
    expect(result.code).toBe(1);
    expect(messages(result.stderr)).toEqual([expect.stringContaining('Discord refused DISCORD_TOKEN')]);
  }, 60_000);

  it('Discord unreachable', async () => {
    const port = await closedPort();
    const result = await bot({ DISCORD_API_BASE: `http://127.0.0.1:${port}/api` });
    expect(result.code).toBe(1);
    expect(messages(result.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`cannot reach Discord at 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)`),
      ),
    ]);
  }, 60_000);
});

describe('Redis refused at start-up', () => {
  it('the bot says so in one line and carries on without it', async () => {
    const port = await closedPort();
    fake = await startFakeDiscord();
    sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0 });
    const child = spawn(NODE, [LAUNCHER, 'start'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_API_BASE: fake.apiBase,
        DATABASE_PATH: join(dir, 'redis.sqlite'),
        WOS_API_BASE: sim.apiBase('wos'),
        KINGSHOT_API_BASE: sim.apiBase('kingshot'),
        REDIS_URL: `redis://:secret-pass@127.0.0.1:${port}/0`,
        REDIS_STARTUP_WAIT_MS: '200',
        LOG_FORMAT: 'json',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // A failed expectation must not leave the bot running.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await expect
      .poll(
        () =>
          stderr.split('\n').filter((line) => line.startsWith('giftbot: ') && !line.includes('not a giftbot setting')),
        { timeout: 30_000 },
      )
      .toEqual([
        expect.stringMatching(
          new RegExp(
            `giftbot: warning: REDIS_URL redis://:\\[redacted\\]@127\\.0\\.0\\.1:${port}/0 does not answer \\(.*\\); running with this process's own lock`,
          ),
        ),
      ]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
