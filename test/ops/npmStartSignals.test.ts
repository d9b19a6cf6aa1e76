import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { pathWithoutNodeModules, systemNode } from '../support/systemNode.ts';
import { NODE, ROOT } from './helpers.ts';

let fake: FakeDiscord | undefined;
let sim: GameApiSimulator | undefined;
let dir: string | undefined;
const started: ChildProcess[] = [];
const botPids: number[] = [];

afterEach(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  for (const pid of botPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  started.length = botPids.length = 0;
  await fake?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = sim = dir = undefined;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Line {
  event?: string;
  pid?: number;
  [key: string]: unknown;
}

/**
 * Starts `file args` as a terminal would start a job: in its own process group (so a "Ctrl-C" can go to the whole
 * group), with PATH free of node_modules/.bin, against the fake Discord; collects the bot's JSON log lines.
 */
async function startJob(file: string, args: string[]) {
  fake = await startFakeDiscord();
  sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0 });
  dir = mkdtempSync(join(tmpdir(), 'giftbot-signals-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && key !== 'NODE_ENV' && key !== 'LOG_LEVEL'),
  );
  const child = spawn(file, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...env,
      PATH: pathWithoutNodeModules(),
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      DATABASE_PATH: join(dir, 'giftbot.sqlite'),
      WOS_API_BASE: sim.apiBase('wos'),
      KINGSHOT_API_BASE: sim.apiBase('kingshot'),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '20000',
    },
  });
  started.push(child);
  const lines: Line[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as Line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await vi.waitFor(
    () => {
      const line = lines.find((l) => l.event === 'app.ready');
      if (!line) throw new Error('not ready yet');
      return line;
    },
    { timeout: 60_000, interval: 50 },
  );
  const botPid = Number(ready.pid);
  botPids.push(botPid);
  return { child, lines, exited, botPid };
}

const events = (lines: Line[], event: string) => lines.filter((l) => l.event === event);

describe('stopping `npm start`', () => {
  it('SIGTERM to the npm process stops the bot gracefully (no orphan)', async () => {
    const job = await startJob('npm', ['start']);
    job.child.kill('SIGTERM');
    await job.exited;
    await vi.waitFor(() => expect(alive(job.botPid)).toBe(false), { timeout: 30_000, interval: 50 });
    expect(events(job.lines, 'app.stopping')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
    expect(events(job.lines, 'app.stopped')).toHaveLength(1);
  }, 90_000);

  it('Ctrl-C (SIGINT to the whole job) stops it once, gracefully, not forced', async () => {
    const job = await startJob('npm', ['start']);
    process.kill(-job.child.pid!, 'SIGINT');
    await job.exited;
    await vi.waitFor(() => expect(alive(job.botPid)).toBe(false), { timeout: 30_000, interval: 50 });
    expect(events(job.lines, 'app.stopping')).toHaveLength(1);
    expect(events(job.lines, 'app.shutdown_forced')).toEqual([]);
    expect(events(job.lines, 'app.stopped')).toHaveLength(1);
  }, 90_000);
});

const system = systemNode(NODE);
describe.skipIf(system === null)(`the launcher on the system's own Node (${system?.version ?? 'none'})`, () => {
  it('forwards SIGTERM to the bot, which stops gracefully; the launcher exits with its status', async () => {
    const job = await startJob(system!.path, ['bin/giftbot.mjs', 'start']);
    expect(job.botPid).not.toBe(job.child.pid);
    job.child.kill('SIGTERM');
    expect(await job.exited).toEqual({ code: 0, signal: null });
    expect(alive(job.botPid)).toBe(false);
    expect(events(job.lines, 'app.stopped')).toHaveLength(1);
  }, 90_000);

  it('Ctrl-C reaches the bot once', async () => {
    const job = await startJob(system!.path, ['bin/giftbot.mjs', 'start']);
    process.kill(-job.child.pid!, 'SIGINT');
    expect(await job.exited).toEqual({ code: 0, signal: null });
    expect(events(job.lines, 'app.stopping')).toEqual([expect.objectContaining({ signal: 'SIGINT' })]);
    expect(events(job.lines, 'app.shutdown_forced')).toEqual([]);
  }, 90_000);
});
