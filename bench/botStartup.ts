import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeDiscord } from '@giftbot/fake-discord';
import { startGameApiSimulator } from '../src/dev/simulator/gameApiSimulator.ts';

const ROOT = new URL('..', import.meta.url).pathname;

/** The arguments `npm start` gives node (its V8 flags and the entry file), so the figures are those of `npm start`. */
function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  // `exec` only keeps /bin/sh out of the way; the launcher then replaces itself with the bot (same pid).
  const [command, ...args] = pkg.scripts.start
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs "${command}", not node: update bench/botStartup.ts`);
  return args;
}
const GUILD = '930000000000000001';

export interface StartupFigures {
  /** Spawn of `node src/main.ts` to its `app.ready` line: Node start-up, module loading, login, commands, all of it. */
  processToReadyMs: number;
  /** startBot()'s own figure (the `readyMs` of `app.ready`): from the app's wiring to ready. */
  startBotReadyMs: number;
  /** VmRSS of the bot, ready and left idle for 2 s. */
  idleRssMb: number;
}

export interface BotStartup {
  /** One figure per start, in order. */
  runs: StartupFigures[];
  /** The median start (by processToReadyMs), the one the targets are checked against. */
  median: StartupFigures;
}

/** `npm start` against the fake Discord and the game-API simulator, `times` times in a row. */
export async function measureBotStartup(times = 3): Promise<BotStartup> {
  const runs: StartupFigures[] = [];
  for (let i = 0; i < times; i += 1) runs.push(await startOnce());
  const sorted = [...runs].sort((a, b) => a.processToReadyMs - b.processToReadyMs);
  return { runs, median: sorted[Math.floor(sorted.length / 2)]! };
}

async function startOnce(): Promise<StartupFigures> {
  const fake = await startFakeDiscord();
  fake.addGuild({ id: GUILD, name: 'Bench alliance' });
  fake.addChannel(GUILD, { id: '930000000000000010' });
  const sim = await startGameApiSimulator({ playerSpacingMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-bench-start-'));
  const env = {
    PATH: process.env.PATH ?? '',
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    DATABASE_PATH: join(dir, 'giftbot.sqlite'),
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
  const spawned = performance.now();
  const proc = spawn(process.execPath, startArgs(), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const ready = await new Promise<{ at: number; readyMs: number }>((resolve, reject) => {
      let buffer = '';
      let stderr = '';
      const timer = setTimeout(
        () => reject(new Error(`the bot was not ready within 30 s: ${stderr.slice(-500)}`)),
        30_000,
      );
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('"app.ready"')) continue;
          clearTimeout(timer);
          resolve({ at: performance.now(), readyMs: Number((JSON.parse(line) as { readyMs?: number }).readyMs) });
        }
      });
      proc.once('exit', (code) =>
        reject(new Error(`the bot exited (${code}) before it was ready: ${stderr.slice(-500)}`)),
      );
    });
    await sleep(2_000);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1]);
    return {
      processToReadyMs: ready.at - spawned,
      startBotReadyMs: ready.readyMs,
      idleRssMb: Math.round((rssKb / 1024) * 10) / 10,
    };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    await fake.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
