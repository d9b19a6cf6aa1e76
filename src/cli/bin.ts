#!/usr/bin/env node
import { existsSync } from 'node:fs';
import type { Core } from '../core.ts';
import { createCore, openStore } from '../runtime.ts';
import { loadConfigOrExit, toolLoggerFor } from '../bootstrap.ts';
import { describeStartupError, StartupError } from '../ops/startupError.ts';
import { CliError } from './cliError.ts';
import type { CliCommand } from './cliContext.ts';
import { ALLIANCE_USAGE, allianceCommand } from './commands/allianceCommand.ts';
import { CODES_USAGE, codesCommand } from './commands/codesCommand.ts';
import { DB_USAGE, dbCommand } from './commands/dbCommand.ts';
import { GUILD_USAGE, guildCommand } from './commands/guildCommand.ts';
import { HISTORY_USAGE, historyCommand } from './commands/historyCommand.ts';
import { IMPORT_USAGE, importCommand } from './commands/importCommand.ts';
import { LOGS_USAGE, logsCommand } from './commands/logsCommand.ts';
import { MEMBERS_USAGE, membersCommand } from './commands/membersCommand.ts';
import { REDEEM_USAGE, redeemCommand } from './commands/redeemCommand.ts';
import { databaseInUse } from './databaseInUse.ts';

const COMMANDS: Record<string, { run: CliCommand; usage: string }> = {
  guild: { run: guildCommand, usage: GUILD_USAGE },
  alliance: { run: allianceCommand, usage: ALLIANCE_USAGE },
  members: { run: membersCommand, usage: MEMBERS_USAGE },
  history: { run: historyCommand, usage: HISTORY_USAGE },
  redeem: { run: redeemCommand, usage: REDEEM_USAGE },
  codes: { run: codesCommand, usage: CODES_USAGE },
  import: { run: importCommand, usage: IMPORT_USAGE },
};

/** Commands that need the configuration (DATABASE_PATH) but not the wired app: they work beside a running bot. */
const CONFIG_COMMANDS: Record<string, { run: typeof dbCommand; usage: string }> = {
  db: { run: dbCommand, usage: DB_USAGE },
};

/** Commands that need no configuration, database or network (they run where the log file is). */
const STANDALONE_COMMANDS: Record<
  string,
  { run: (args: string[], out: (line: string) => void) => Promise<number>; usage: string }
> = {
  logs: { run: logsCommand, usage: LOGS_USAGE },
};

const LAUNCHER_USAGE = [
  'giftbot start                 the bot (the offline demo without DISCORD_TOKEN, outside NODE_ENV=production)',
  'giftbot demo                  the offline demo against a local game-API simulator',
  'giftbot deploy-commands       register the slash commands (--guild <id>, --global)',
  'giftbot simulator             a standalone game-API simulator (--port 8088)',
].join('\n  ');

function usage(): string {
  const commands = [
    ...Object.values(COMMANDS),
    ...Object.values(CONFIG_COMMANDS),
    ...Object.values(STANDALONE_COMMANDS),
  ].map((c) => `  ${c.usage}`);
  return [
    'Usage:',
    `  ${LAUNCHER_USAGE}`,
    ...commands,
    '',
    'Every command takes --help. Results go to standard output, log lines to standard error (warnings and worse,',
    'unless --verbose or LOG_LEVEL asks for more).',
    `Database: ${databaseInUse()}`,
  ].join('\n');
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

export async function runCli(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [name, ...args] = argv.filter((arg) => arg !== '--verbose');
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    (name ? out : err)(usage());
    return name ? 0 : 2;
  }
  const standalone = STANDALONE_COMMANDS[name];
  const configOnly = CONFIG_COMMANDS[name];
  const command = COMMANDS[name];
  if (!standalone && !command && !configOnly) {
    err(`giftbot: unknown command "${name}".\n${usage()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(`Usage: ${(standalone ?? configOnly ?? command)!.usage}${standalone ? '' : `\nDatabase: ${databaseInUse()}`}`);
    return 0;
  }
  if (standalone) {
    try {
      return await standalone.run(args, out);
    } catch (error) {
      return exitStatusFor(error);
    }
  }
  const config = loadConfigOrExit();
  if (configOnly) {
    try {
      return await configOnly.run(args, { config, out });
    } catch (error) {
      return exitStatusFor(error);
    }
  }
  const log = toolLoggerFor(config, { verbose });
  // Only a SQLite file can be created by accident (DATABASE_URL names a database that exists).
  const existed = config.postgres !== null || existsSync(config.databasePath);
  let app: Core;
  try {
    app = createCore({ config, log, store: await openStore(config, log) });
  } catch (error) {
    err(`giftbot: ${describeStartupError(error)}`);
    return 1;
  }
  // Said on stderr, so a script reading stdout is not disturbed: a new, empty database is rarely what was meant.
  if (!existed) err(`giftbot: created a new, empty database at ${config.databasePath} (DATABASE_PATH)`);
  try {
    return await command!.run(args, { app, out, err });
  } catch (error) {
    return exitStatusFor(error);
  } finally {
    await app.close();
  }
}

/** A user's mistake is printed without a stack trace; anything else is a bug and is thrown. */
function exitStatusFor(error: unknown): number {
  if (error instanceof CliError) {
    err(`giftbot: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof StartupError) {
    err(`giftbot: ${error.message}`);
    return 1;
  }
  if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    err(`giftbot: ${error.message}\n${usage()}`);
    return 2;
  }
  throw error;
}

// `giftbot members list | head -1`: the reader went away; stop quietly instead of crashing with EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
