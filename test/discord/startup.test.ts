import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';

const GUILD = '920000000000000001';
let fake: FakeDiscord | undefined;
let sim: GameApiSimulator | undefined;
let child: ChildProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = sim = child = dir = undefined;
});

interface Line {
  event?: string;
  [key: string]: unknown;
}

/** `npm start` (node src/main.ts) as its own process, with its JSON log lines collected. */
function startMain(env: Record<string, string>): { proc: ChildProcess; lines: Line[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.trim().startsWith('{')) lines.push(JSON.parse(part) as Line);
  });
  proc.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

async function world(): Promise<Record<string, string>> {
  fake = await startFakeDiscord();
  fake.addGuild({ id: GUILD, name: 'Alliance' });
  fake.addChannel(GUILD, { id: '920000000000000010' });
  sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0 });
  dir = mkdtempSync(join(tmpdir(), 'giftbot-start-'));
  return {
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    DATABASE_PATH: join(dir, 'giftbot.sqlite'),
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
}

describe('npm start with a Discord token', () => {
  it('logs in, registers the commands, stays up, and stops cleanly on SIGTERM', async () => {
    const env = await world();
    const main = startMain(env);
    child = main.proc;
    const ready = await fake!.waitFor(() => main.lines.find((l) => l.event === 'app.ready'), 20_000);
    expect(fake!.registeredCommands(GUILD)).toHaveLength(7);
    // Idle for a moment, then read the process's resident memory.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${main.proc.pid}/status`, 'utf8'))?.[1]);
    console.log(
      `npm start: start-up to ready ${String(ready.readyMs)} ms (in-process figure); idle RSS ${(rssKb / 1024).toFixed(0)} MB`,
    );
    expect(main.lines.map((l) => l.event)).toEqual(
      expect.arrayContaining(['app.starting', 'discord.ready', 'discord.commands_registered', 'app.ready']),
    );

    main.proc.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(main.lines.map((l) => l.event)).toEqual(expect.arrayContaining(['app.stopping', 'app.stopped']));
    expect(fake!.unhandled).toEqual([]);
    expect(fake!.gatewayErrors).toEqual([]);
  });

  it('exits 1 and says why when the token is wrong', async () => {
    const env = await world();
    const main = startMain({ ...env, DISCORD_TOKEN: 'not-the-token' });
    child = main.proc;
    expect(await main.exited).toBe(1);
    const failure = main.lines.find((l) => l.event === 'discord.login_failed');
    expect(failure).toMatchObject({ level: 'fatal' });
    expect(JSON.stringify(main.lines)).not.toContain('not-the-token');
  });
});
