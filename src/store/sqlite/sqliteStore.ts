import type { Store } from '../types.ts';
import { createAllianceRepo } from './allianceRepo.ts';
import { createAnswerJournalRepo } from './answerJournalRepo.ts';
import { createCodeRepo } from './codeRepo.ts';
import { openDatabase } from './database.ts';
import { createDeferredRunRepo } from './deferredRunRepo.ts';
import { createGuildRepo } from './guildRepo.ts';
import { createHistoryRepo } from './historyRepo.ts';
import { runImportBatch } from './importBatch.ts';
import { createLedgerRepo } from './ledgerRepo.ts';
import { createMemberLinkRepo } from './memberLinkRepo.ts';
import { createMemberRepo } from './memberRepo.ts';
import { createRunRepo } from './runRepo.ts';
import { createWrongStateRepo } from './wrongStateRepo.ts';

/** The embedded default store: one SQLite file (node:sqlite, no native build), safe for several processes on one host. */
export function openSqliteStore(path: string): Store {
  const db = openDatabase(path);
  let closed = false;
  return {
    guilds: createGuildRepo(db),
    alliances: createAllianceRepo(db),
    members: createMemberRepo(db),
    codes: createCodeRepo(db),
    ledger: createLedgerRepo(db),
    runs: createRunRepo(db),
    deferredRuns: createDeferredRunRepo(db),
    wrongStates: createWrongStateRepo(db),
    journal: createAnswerJournalRepo(db),
    memberLinks: createMemberLinkRepo(db),
    history: createHistoryRepo(db),
    async importBatch(batch, options = {}) {
      return runImportBatch(db, batch, options.dryRun ?? false);
    },
    async checkWritable() {
      try {
        db.exec('BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS health_probe (x); ROLLBACK');
        return true;
      } catch {
        if (db.isTransaction) db.exec('ROLLBACK');
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
