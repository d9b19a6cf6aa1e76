import { openPostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { allianceContract } from './allianceContract.ts';
import { storeContract } from './storeContract.ts';

const factory = async () => {
  const db = await createTestDatabase();
  return {
    open: () => openPostgresStore(db.settings),
    // A second pool on the same database: another host's view.
    openAnother: () => openPostgresStore(db.settings),
    cleanup: () => db.drop(),
  };
};

storeContract('PostgreSQL', factory);
allianceContract('PostgreSQL', factory);
