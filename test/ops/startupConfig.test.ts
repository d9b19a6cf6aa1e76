import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownConfigKeys } from '../../src/config/config.ts';
import { unknownKeyWarnings } from '../../src/config/unknownKeys.ts';
import { runCommand } from '../support/runCommand.ts';
import { NODE, ROOT } from './helpers.ts';

const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const dir = mkdtempSync(join(tmpdir(), 'giftbot-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { DATABASE_PATH: join(dir, 'giftbot.sqlite') };

describe('the token and look-alike settings', () => {
  it('NODE_ENV=production without DISCORD_TOKEN is a configuration error, not the demo', async () => {
    const result = await runCommand(NODE, [LAUNCHER, 'start'], {
      cwd: dir,
      env: { ...base, NODE_ENV: 'production', LOG_LEVEL: 'bogus' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the configuration has 2 problem(s)');
    expect(result.stderr).toContain('DISCORD_TOKEN is not set');
    expect(result.stderr).toContain('LOG_LEVEL must be one of');
    expect(result.stdout).not.toContain('demo');
  });

  it('a mistyped key is named with the key it probably meant', async () => {
    const result = await runCommand(NODE, [LAUNCHER, 'guild', 'list'], {
      cwd: dir,
      env: { ...base, DISCORD_BOT_TOKEN: 'abc', REDIS_ULR: 'redis://x', PATH_EXTRA: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'DISCORD_BOT_TOKEN (environment) is not a giftbot setting and is ignored; did you mean DISCORD_TOKEN?',
    );
    expect(result.stderr).toContain('did you mean REDIS_URL?');
    expect(result.stderr).not.toContain('PATH_EXTRA');
  });

  it('every key of .env is checked, whatever its prefix; the environment only for ours', () => {
    const warnings = unknownKeyWarnings({
      known: knownConfigKeys(),
      fileKeys: ['TOKEN', 'DATABASE_PATH', 'DATABSE_PATH'],
      envKeys: ['HOME', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'LOG_LEVEL', 'METRICS_PORTS'],
    });
    expect(warnings).toEqual([
      'TOKEN (.env) is not a giftbot setting and is ignored',
      'DATABSE_PATH (.env) is not a giftbot setting and is ignored; did you mean DATABASE_PATH?',
      'METRICS_PORTS (environment) is not a giftbot setting and is ignored; did you mean METRICS_PORT?',
    ]);
  });

  it('without a token and outside production, `npm start` is still the offline demo', async () => {
    const result = await runCommand('npm', ['start'], { cwd: ROOT, env: { ...base } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('offline demo');
    expect(result.stdout).toContain('Demo finished');
  }, 120_000);
});
