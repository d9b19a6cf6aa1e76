import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StartupError } from '../../ops/startupError.ts';

const reason = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.split(',')[0]!.replace(`${e.code}: `, '')}` : String(e.message ?? error);
};

/**
 * Makes sure the database's folder exists and is writable (SQLite in WAL mode writes two files beside the database),
 * with one clear sentence when it is not. Folders are created one by one: a recursive mkdir loops forever under /proc.
 * Returns whether the database file exists already.
 */
export function prepareDatabasePath(path: string): boolean {
  const missing: string[] = [];
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) {
    missing.unshift(folder);
    folder = dirname(folder);
  }
  if (!statSync(folder).isDirectory())
    throw new StartupError(`DATABASE_PATH=${path}: ${folder} is a file, not a folder`);
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      throw new StartupError(`DATABASE_PATH=${path}: cannot create the folder ${dir} (${reason(error)})`, {
        cause: error,
      });
    }
  }
  if (existsSync(path) && statSync(path).isDirectory())
    throw new StartupError(
      `DATABASE_PATH=${path} is a folder; give a file in it, e.g. ${join(path, 'giftbot.sqlite')}`,
    );
  const probe = join(dirname(path), `.giftbot-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    throw new StartupError(
      `DATABASE_PATH=${path}: cannot write in the folder ${dirname(path)} (${reason(error)}); giftbot needs to write the database and its -wal and -shm files there`,
      { cause: error },
    );
  }
  return existsSync(path);
}
