import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder with giftbot's package.json: `.env` and a relative DATABASE_PATH belong to it, not to the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** A relative path is taken from the project folder, so the CLI run from elsewhere finds the bot's own database. */
export function resolveProjectPath(path: string): string {
  if (path === ':memory:' || isAbsolute(path)) return path;
  return resolve(PROJECT_ROOT, path);
}
