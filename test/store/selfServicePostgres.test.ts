import { openPostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { selfServiceContract } from './selfServiceContract.ts';

selfServiceContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  return {
    open: () => openPostgresStore(db.settings),
    openAnother: () => openPostgresStore(db.settings),
    cleanup: () => db.drop(),
  };
});
