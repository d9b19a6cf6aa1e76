import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { runCommand } from '../support/runCommand.ts';
import { addAlliance, allianceOf } from '../support/alliances.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const GUILD = '900000000000000201';
const BATCH = 10;

const dir = mkdtempSync(join(tmpdir(), 'giftbot-backup-'));
const databasePath = join(dir, 'live.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `giftbot db backup` as its own process, resolving with what it printed; the caller keeps running meanwhile. */
function backupProcess(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [LAUNCHER, 'db', 'backup', file], {
    cwd: dir,
    env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('giftbot db backup', () => {
  it('copies the live WAL database consistently while another connection keeps writing', async () => {
    const store = openSqliteStore(databasePath);
    const alliance = await addAlliance(store, { guildId: GUILD, game: 'wos', defaultState: 245 });
    // A few MB, so the copy takes a while and the writer really runs beside it.
    let next = 60_000_000;
    const batch = () =>
      Array.from({ length: BATCH }, () => ({
        fid: String(next++),
        state: 245,
        name: `Member ${next} ${'x'.repeat(100)}`,
      }));
    for (let i = 0; i < 2_000; i++) await store.members.addMany(alliance.id, batch());

    const file = join(dir, 'copy.sqlite');
    const backup = backupProcess(file);
    let finished = false;
    void backup.then(() => (finished = true));
    let writes = 0;
    while (!finished) {
      // Each batch is one transaction: a consistent copy holds whole batches only.
      await store.members.addMany(alliance.id, batch());
      writes += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await backup;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('integrity ok');
    expect(writes).toBeGreaterThan(0);

    const copy = new DatabaseSync(file, { readOnly: true });
    const count = Number(copy.prepare('SELECT count(*) AS n FROM members WHERE guild_id = ?').get(GUILD)!.n);
    expect(copy.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'delete' });
    copy.close();
    expect(count % BATCH).toBe(0);
    expect(count).toBeGreaterThanOrEqual(20_000);
    expect((await store.members.list(GUILD)).length).toBe(20_000 + writes * BATCH);
    await store.close();
    expect(readdirSync(dir).filter((name) => name.includes('.partial-'))).toEqual([]);

    // Restoring is copying the file back: giftbot opens it like any database.
    const restored = openSqliteStore(file);
    expect(await allianceOf(restored, GUILD)).toMatchObject({ guildId: GUILD, game: 'wos' });
    await restored.close();
  }, 120_000);

  it('never overwrites an existing file, and says so', async () => {
    const file = join(dir, 'taken.sqlite');
    writeFileSync(file, 'precious');
    const result = await runCommand(NODE, [LAUNCHER, 'db', 'backup', file], {
      cwd: dir,
      env: { DATABASE_PATH: databasePath },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exists already; giftbot never overwrites a file');
    expect(result.stdout).toBe('');
  });

  it('without a database there is nothing to back up (and none is created)', async () => {
    const missing = join(dir, 'missing', 'giftbot.sqlite');
    const result = await runCommand(NODE, [LAUNCHER, 'db', 'backup', join(dir, 'never.sqlite')], {
      cwd: dir,
      env: { DATABASE_PATH: missing },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`There is no database at ${missing}`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(existsSync(join(dir, 'never.sqlite'))).toBe(false);
  });
});
