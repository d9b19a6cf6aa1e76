import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { configSecrets, knownConfigKeys, loadConfig, type Config, type LoadConfigOptions } from './config/config.ts';
import { PROJECT_ROOT } from './config/projectRoot.ts';
import { unknownKeyWarnings } from './config/unknownKeys.ts';
import { EVENTS } from './log/events.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { terminalLines } from './log/terminalLines.ts';

/** LOG_LEVEL as the command was started with, before `.env` (where it is the bot's level) is read. */
const LOG_LEVEL_ASKED = process.env.LOG_LEVEL?.trim() || undefined;

/**
 * Reads `.env` from the project folder (when present) and the environment, and checks the configuration once. Exits 1
 * listing every problem; warns about keys that look like ours but are not.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const envFile = join(PROJECT_ROOT, '.env');
  let fileKeys: string[] = [];
  if (existsSync(envFile) && env === process.env) {
    process.loadEnvFile(envFile);
    fileKeys = Object.keys(parseEnv(readFileSync(envFile, 'utf8')));
  }
  for (const warning of unknownKeyWarnings({ known: knownConfigKeys(), fileKeys, envKeys: Object.keys(env) })) {
    process.stderr.write(`giftbot: warning: ${warning}\n`);
  }
  const result = loadConfig(env, options);
  if (!result.ok) {
    process.stderr.write(`giftbot: the configuration has ${result.problems.length} problem(s):\n`);
    for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
    process.stderr.write('See .env.example for every setting.\n');
    // Also as one JSON line, for operators who only read the log stream.
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', event: EVENTS.configInvalid, problems: result.problems, msg: 'configuration invalid' })}\n`,
    );
    process.exit(1);
  }
  return result.config;
}

export function loggerFor(
  config: Config,
  overrides: { level?: string; toStderr?: boolean; pretty?: boolean } = {},
): Logger {
  return createLogger({
    level: overrides.level ?? config.logLevel,
    pretty: overrides.pretty ?? config.logFormat === 'pretty',
    secrets: configSecrets(config),
    ...(overrides.toStderr ? { destination: process.stderr } : {}),
  });
}

/**
 * The CLI's and the demo's logger. Their answers are on stdout; log lines go to stderr, warnings and worse unless
 * `--verbose` or LOG_LEVEL (set for this command; `.env`'s is the bot's) asks for more; short lines on a terminal,
 * JSON lines otherwise (or with LOG_FORMAT=json).
 */
export function toolLoggerFor(config: Config, { verbose = false }: { verbose?: boolean } = {}): Logger {
  const terminal = process.stderr.isTTY === true && process.env.LOG_FORMAT !== 'json';
  return createLogger({
    level: LOG_LEVEL_ASKED ?? (verbose ? 'info' : 'warn'),
    secrets: configSecrets(config),
    destination: terminal ? terminalLines(process.stderr) : process.stderr,
  });
}
