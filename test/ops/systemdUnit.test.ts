import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { runCommand } from '../support/runCommand.ts';
import { ROOT } from './helpers.ts';

const UNIT = readFileSync(join(ROOT, 'deploy/giftbot.service'), 'utf8');
const INSTALL = '/opt/giftbot';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** key → values of the [Service] section (Environment= may repeat). */
function service(): Map<string, string[]> {
  const section = UNIT.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  const keys = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line.trim());
    if (match) keys.set(match[1]!, [...(keys.get(match[1]!) ?? []), match[2]!]);
  }
  return keys;
}

const one = (key: string): string => {
  const values = service().get(key) ?? [];
  expect(values, key).toHaveLength(1);
  return values[0]!;
};

const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/giftbot.service', () => {
  it('restarts on failure, reads .env, runs the launcher from its folder and stops with SIGTERM', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('WorkingDirectory')).toBe(INSTALL);
    expect(one('EnvironmentFile')).toBe(`${INSTALL}/.env`);
    expect(one('ExecStart')).toBe(`${INSTALL}/node_modules/.bin/node bin/giftbot.mjs start`);
    expect(one('KillSignal')).toBe('SIGTERM');
  });

  it('gives the bot its whole shutdown deadline before systemd kills it', () => {
    const env = Object.fromEntries(
      (service().get('Environment') ?? []).flatMap((value) =>
        value.split(/\s+/).map((pair) => pair.split('=') as [string, string]),
      ),
    );
    const loaded = loadConfig({ ...env, DISCORD_TOKEN: 'x', DISCORD_APPLICATION_ID: '123456789012345678' });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const stopMs = Number(one('TimeoutStopSec')) * 1000;
    expect(stopMs).toBeGreaterThan(loaded.config.ops.shutdownTimeoutMs);
    expect(stopMs - loaded.config.ops.shutdownTimeoutMs).toBeLessThanOrEqual(10_000);
  });

  it('its ExecStart works from the install folder (here: this checkout)', async () => {
    const [node, ...args] = one('ExecStart').replace(INSTALL, ROOT).split(' ');
    const result = await runCommand(
      node!,
      args.map((arg) => (arg === 'start' ? '--help' : arg)),
      { cwd: ROOT },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('giftbot start');
  });

  it.skipIf(!hasSystemd)('passes systemd-analyze verify (paths pointed at this checkout)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-unit-'));
    dirs.push(dir);
    const unit = join(dir, 'giftbot.service');
    writeFileSync(
      unit,
      UNIT.replaceAll(INSTALL, ROOT).replace(`EnvironmentFile=${ROOT}/.env`, `EnvironmentFile=-${ROOT}/.env`),
    );
    expect(() => execFileSync('systemd-analyze', ['verify', unit], { stdio: 'pipe' })).not.toThrow();
  });
});
