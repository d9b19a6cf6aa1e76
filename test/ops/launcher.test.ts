import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../support/runCommand.ts';
import { systemNode } from '../support/systemNode.ts';
import { NODE, ROOT } from './helpers.ts';

const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const system = systemNode(NODE);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command as a user's shell would (PATH without node_modules/.bin). */
function shell(
  file: string,
  args: string[],
  { cwd = ROOT, env = {} }: { cwd?: string; env?: Record<string, string> } = {},
) {
  return runCommand(file, args, { cwd, env });
}

describe.skipIf(system === null)(`the launcher on the system's own Node (${system?.version ?? 'none'})`, () => {
  it("runs the CLI with the project's Node 24 and hands back its exit status", async () => {
    const help = await shell(system!.path, [LAUNCHER, '--help'], { cwd: tmpdir() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('giftbot members list');
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-launcher-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'bot.log'),
      `${JSON.stringify({ level: 'info', time: new Date().toISOString(), event: 'app.ready', msg: 'ready' })}\n`,
    );
    const check = await shell(system!.path, [LAUNCHER, 'logs', 'check', join(dir, 'bot.log')], { cwd: dir });
    expect(check.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(check.code).toBe(0);
    const refused = await shell(system!.path, [LAUNCHER, 'redeem'], {
      cwd: dir,
      env: { DATABASE_PATH: join(dir, 'db.sqlite') },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('A guild id and a code are required');
  });

  it('after `npm ci --omit=dev`, `npx giftbot --help`, the demo and the CLI work on the system Node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-omit-dev-'));
    dirs.push(dir);
    for (const part of ['package.json', 'package-lock.json', 'bin', 'src', 'config'])
      cpSync(join(ROOT, part), join(dir, part), { recursive: true });
    const install = await shell('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
    });
    expect(install.code, install.stderr).toBe(0);

    const help = await shell('npx', ['--no-install', 'giftbot', '--help'], { cwd: dir });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('giftbot redeem <guildId> <code>');

    const guilds = await shell(system!.path, ['bin/giftbot.mjs', 'guild', 'list'], { cwd: dir });
    expect(guilds.code, guilds.stderr).toBe(0);
    expect(guilds.stdout).toContain('No alliances yet');

    const demo = await shell('npm', ['run', 'demo'], { cwd: dir });
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain('Demo finished');
  }, 180_000);
});
