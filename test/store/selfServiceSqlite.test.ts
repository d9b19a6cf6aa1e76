import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { selfServiceContract } from './selfServiceContract.ts';

selfServiceContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-store-'));
  const path = join(dir, 'giftbot.sqlite');
  return {
    open: async () => openSqliteStore(path),
    openAnother: async () => openSqliteStore(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
