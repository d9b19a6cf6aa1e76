import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { EVENTS } from '../../src/log/events.ts';
import { openStore } from '../../src/runtime.ts';
import { captureLogs } from '../support/coreHarness.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres/migrations.ts';

let dir: string | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await db?.drop();
  dir = undefined;
  db = undefined;
});

function configWith(env: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'giftbot-open-'));
  const loaded = loadConfig({ DATABASE_PATH: join(dir, 'giftbot.sqlite'), LOG_FORMAT: 'json', ...env });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}

describe('openStore chooses the store by configuration and says which', () => {
  it('without DATABASE_URL: the SQLite file', async () => {
    const config = configWith({});
    const logs = captureLogs();
    const store = await openStore(config, logs.log);
    await store.close();
    expect(logs.events(EVENTS.storeOpened)).toMatchObject([{ kind: 'sqlite', path: config.databasePath }]);
    expect(existsSync(config.databasePath)).toBe(true);
  });

  it('with DATABASE_URL: PostgreSQL, migrated; DATABASE_PATH is not touched', async () => {
    db = await createTestDatabase();
    const config = configWith({ DATABASE_URL: db.url });
    const logs = captureLogs();
    const store = await openStore(config, logs.log);
    await store.alliances.add({ guildId: 'g1', name: 'main', game: 'wos' });
    expect(await store.checkWritable()).toBe(true);
    await store.close();
    expect(logs.events(EVENTS.storeOpened)).toMatchObject([{ kind: 'postgres' }]);
    expect(logs.events(EVENTS.storeMigrated)[0]?.versions).toEqual(PG_MIGRATIONS.map((migration) => migration.version));
    expect(existsSync(config.databasePath)).toBe(false);
  });

  it('PostgreSQL unreachable: start-up fails with store.open_failed, the password redacted', async () => {
    const config = configWith({
      DATABASE_URL: 'postgres://giftbot:s3cret@127.0.0.1:1/giftbot',
      PG_CONNECT_TIMEOUT_MS: '500',
    });
    const logs = captureLogs();
    await expect(openStore(config, logs.log)).rejects.toThrow();
    const [failed] = logs.events(EVENTS.storeOpenFailed);
    expect(failed).toMatchObject({ level: 'fatal', kind: 'postgres' });
    expect(logs.raw.join('\n')).not.toContain('s3cret');
  });

  it('DATABASE_URL and the pool settings are validated', () => {
    const bad = loadConfig({ DATABASE_URL: 'mysql://x@h/db', PG_POOL_MAX: '0' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.join('\n')).toContain('DATABASE_URL must start with postgres://');
      expect(bad.problems.join('\n')).toContain('PG_POOL_MAX must be between 1 and 200');
    }
  });
});
