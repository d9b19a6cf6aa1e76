import { openPostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { storeContract } from './storeContract.ts';

storeContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return {
    open: () => openPostgresStore(db.settings),
    // A second pool on the same database: another host's view.
    openAnother: () => openPostgresStore(db.settings),
    cleanup: () => db.drop(),
  };
});
