import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { configSecrets, knownConfigKeys, loadConfig, type Config, type LoadConfigOptions } from './config/config.ts';
import { PROJECT_ROOT } from './config/projectRoot.ts';
import { unknownKeyWarnings } from './config/unknownKeys.ts';
import { EVENTS } from './log/events.ts';
import { createLogger, type Logger } from './log/logger.ts';

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
    process.stderr.write(`${JSON.stringify({ level: 'fatal', event: EVENTS.configInvalid, problems: result.problems, msg: 'configuration invalid' })}\n`);
    process.exit(1);
  }
  return result.config;
}

export function loggerFor(config: Config, overrides: { level?: string; toStderr?: boolean; pretty?: boolean } = {}): Logger {
  return createLogger({
    level: overrides.level ?? config.logLevel,
    pretty: overrides.pretty ?? config.logFormat === 'pretty',
    secrets: configSecrets(config),
    ...(overrides.toStderr ? { destination: process.stderr } : {}),
  });
}
