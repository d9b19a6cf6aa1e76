import { existsSync, linkSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { CliError } from '../cliError.ts';

export const DB_BACKUP_USAGE =
  'giftbot db backup <file>   (a consistent copy of the live database; safe while the bot runs)';

/** One backup step copies every page: a single read transaction, so the copy is one moment of the database. */
const ALL_PAGES = 2_147_483_647;

/**
 * `giftbot db backup <file>`. Opens the database itself (no migrations, no game API, no Redis), so it works beside a
 * running bot. SQLite's online backup copies from one read transaction: the bot's writes wait at most for the copy,
 * and the copy never holds half of a transaction. The file is written beside the target and linked into place, so an
 * existing file is never overwritten and a failed backup leaves nothing behind.
 */
export async function dbBackupCommand(
  rest: string[],
  { databasePath, out }: { databasePath: string; out: (line: string) => void },
): Promise<number> {
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  const [target, extra] = positionals;
  if (!target || extra !== undefined) throw new CliError(`One backup file is required.\nUsage: ${DB_BACKUP_USAGE}`);
  const file = resolve(target);
  if (existsSync(file))
    throw new CliError(`${file} exists already; giftbot never overwrites a file. Choose another name or move it away.`);
  if (!existsSync(dirname(file))) throw new CliError(`The folder ${dirname(file)} does not exist.`);
  if (!existsSync(databasePath))
    throw new CliError(`There is no database at ${databasePath} (DATABASE_PATH) to back up.`, 1);

  const partial = `${file}.partial-${process.pid}`;
  const source = new DatabaseSync(databasePath);
  try {
    source.exec('PRAGMA busy_timeout = 10000');
    const pages = await backup(source, partial, { rate: ALL_PAGES });
    // A self-contained single file (no -wal beside it): what is restored is exactly this file.
    const copy = new DatabaseSync(partial);
    let check: string;
    try {
      copy.exec('PRAGMA journal_mode = DELETE');
      check = String(copy.prepare('PRAGMA integrity_check').get()?.integrity_check);
    } finally {
      copy.close();
    }
    if (check !== 'ok')
      throw new CliError(`The copy failed SQLite's integrity check (${check}); nothing was written to ${file}.`, 1);
    try {
      linkSync(partial, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        code === 'EEXIST'
          ? `${file} appeared while backing up; giftbot never overwrites a file.`
          : `Cannot write ${file}: ${code ?? String(error)}`,
        1,
      );
    }
    out(
      `Backed up ${databasePath} to ${file}: ${pages} pages, ${(statSync(file).size / 1_048_576).toFixed(1)} MB, integrity ok.`,
    );
    out(
      `To restore: stop giftbot, copy ${file} to ${databasePath} (remove any ${databasePath}-wal and -shm), start giftbot.`,
    );
    return 0;
  } finally {
    source.close();
    for (const leftover of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`])
      rmSync(leftover, { force: true });
  }
}
