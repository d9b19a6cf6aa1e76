#!/usr/bin/env node
import { createCore, openStore } from '../runtime.ts';
import { loadConfigOrExit, loggerFor } from '../bootstrap.ts';
import { CliError } from './cliError.ts';
import type { CliCommand } from './cliContext.ts';
import { CODES_USAGE, codesCommand } from './commands/codesCommand.ts';
import { DB_USAGE, dbCommand } from './commands/dbCommand.ts';
import { GUILD_USAGE, guildCommand } from './commands/guildCommand.ts';
import { IMPORT_USAGE, importCommand } from './commands/importCommand.ts';
import { LOGS_USAGE, logsCommand } from './commands/logsCommand.ts';
import { MEMBERS_USAGE, membersCommand } from './commands/membersCommand.ts';
import { REDEEM_USAGE, redeemCommand } from './commands/redeemCommand.ts';

const COMMANDS: Record<string, CliCommand> = {
  guild: guildCommand,
  members: membersCommand,
  redeem: redeemCommand,
  codes: codesCommand,
  import: importCommand,
};

/** Commands that do not use the wired core: `logs` needs no configuration at all; `db` opens its databases itself. */
const STANDALONE_COMMANDS: Record<string, (args: string[], out: (line: string) => void) => Promise<number>> = {
  logs: logsCommand,
  // Opens the SQLite file read-only itself, never the configured store.
  db: dbCommand,
};

const USAGE = ['Usage:', `  ${GUILD_USAGE}`, `  ${MEMBERS_USAGE}`, `  ${REDEEM_USAGE}`, `  ${CODES_USAGE}`, `  ${IMPORT_USAGE}`, `  ${LOGS_USAGE}`, `  ${DB_USAGE}`].join('\n');

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const standalone = STANDALONE_COMMANDS[name];
  if (standalone) {
    try {
      return await standalone(args, (line) => process.stdout.write(`${line}\n`));
    } catch (error) {
      return exitStatusFor(error);
    }
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`giftbot: unknown command "${name}".\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  // The CLI prints its own results on stdout; log lines go to stderr, warnings and worse unless LOG_LEVEL says otherwise.
  const log = loggerFor(config, { level: process.env.LOG_LEVEL ?? 'warn', toStderr: true });
  const app = createCore({ config, log, store: await openStore(config, log) });
  try {
    return await command(args, { app, out: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    return exitStatusFor(error);
  } finally {
    await app.close();
  }
}

/** A user's mistake is printed without a stack trace; anything else is a bug and is thrown. */
function exitStatusFor(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`giftbot: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`giftbot: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  throw error;
}

process.exitCode = await runCli(process.argv.slice(2));
