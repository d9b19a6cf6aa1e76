import type { Config } from '../../config/config.ts';
import { CliError } from '../cliError.ts';
import { DB_BACKUP_USAGE, dbBackupCommand } from './dbBackup.ts';
import { DB_MIGRATE_USAGE, dbMigrateToCommand } from './dbMigrateTo.ts';

export const DB_USAGE = [DB_BACKUP_USAGE, DB_MIGRATE_USAGE].join('\n  ');

/**
 * `giftbot db backup|migrate-to`: commands on the database file itself. They open what they need on their own (no
 * migrations, no game API, no Redis), so they work beside a running bot.
 */
export async function dbCommand(
  args: string[],
  { config, out }: { config: Config; out: (line: string) => void },
): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'backup') return dbBackupCommand(rest, { databasePath: config.databasePath, out });
  if (action === 'migrate-to') return dbMigrateToCommand(rest, { config, out });
  throw new CliError(`Unknown db action "${action ?? ''}".\nUsage: ${DB_USAGE}`);
}
