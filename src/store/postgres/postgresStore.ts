import type { PostgresSettings } from '../../config/databaseConfig.ts';
import type { Store } from '../types.ts';
import { createPgAllianceRepo } from './allianceRepo.ts';
import { createPgAnswerJournalRepo } from './answerJournalRepo.ts';
import { createPgCodeRepo } from './codeRepo.ts';
import { createPool, migrate, type Pool } from './database.ts';
import { createPgDeferredRunRepo } from './deferredRunRepo.ts';
import { createPgGuildRepo } from './guildRepo.ts';
import { createPgHistoryRepo } from './historyRepo.ts';
import { runPgImportBatch } from './importBatch.ts';
import { createPgLedgerRepo } from './ledgerRepo.ts';
import { createPgMemberLinkRepo } from './memberLinkRepo.ts';
import { createPgMemberRepo } from './memberRepo.ts';
import { createPgRunRepo } from './runRepo.ts';
import { createPgWrongStateRepo } from './wrongStateRepo.ts';

/**
 * The shared store for several hosts: PostgreSQL through node-postgres' bounded pool. Opening migrates first (under an
 * advisory lock, so processes starting together are safe); a server that does not answer fails the start-up.
 */
export async function openPostgresStore(settings: PostgresSettings): Promise<Store & { migrated: number[] }> {
  const pool = createPool(settings);
  try {
    const migrated = await migrate(pool);
    return { ...createPostgresStore(pool), migrated };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/** The store on a pool whose database is already migrated; closing the store ends the pool. */
export function createPostgresStore(pool: Pool): Store {
  let closed = false;
  return {
    guilds: createPgGuildRepo(pool),
    alliances: createPgAllianceRepo(pool),
    members: createPgMemberRepo(pool),
    codes: createPgCodeRepo(pool),
    ledger: createPgLedgerRepo(pool),
    runs: createPgRunRepo(pool),
    deferredRuns: createPgDeferredRunRepo(pool),
    wrongStates: createPgWrongStateRepo(pool),
    journal: createPgAnswerJournalRepo(pool),
    memberLinks: createPgMemberLinkRepo(pool),
    history: createPgHistoryRepo(pool),
    importBatch: (batch, options = {}) => runPgImportBatch(pool, batch, options.dryRun ?? false),
    async checkWritable() {
      try {
        const { rows } = await pool.query('SELECT pg_is_in_recovery() AS standby');
        return rows[0]?.standby === false;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
