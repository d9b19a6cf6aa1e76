import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT, resolveProjectPath } from '../config/projectRoot.ts';

/** For `--help`: which database the commands would use (DATABASE_PATH from the environment or .env), and whether it exists. */
export function databaseInUse(env: NodeJS.ProcessEnv = process.env): string {
  let raw = env.DATABASE_PATH?.trim();
  const envFile = join(PROJECT_ROOT, '.env');
  if (!raw && existsSync(envFile)) {
    try {
      raw = parseEnv(readFileSync(envFile, 'utf8')).DATABASE_PATH?.trim();
    } catch {
      /* an unreadable .env is reported when a command runs */
    }
  }
  const path = resolveProjectPath(raw || './data/giftbot.sqlite');
  return `${path} (DATABASE_PATH${raw ? '' : ', the default'}${existsSync(path) ? '' : '; not created yet'})`;
}
