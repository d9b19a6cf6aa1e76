import { existsSync } from 'node:fs';
import { configSecrets, loadConfig, type Config } from './config/config.ts';
import { EVENTS } from './log/events.ts';
import { createLogger, type Logger } from './log/logger.ts';

/** Reads `.env` (when present) and the environment, and checks the configuration once. Exits 1 listing every problem. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  if (existsSync('.env') && env === process.env) process.loadEnvFile('.env');
  const result = loadConfig(env);
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

export function loggerFor(config: Config, overrides: { level?: string; toStderr?: boolean } = {}): Logger {
  return createLogger({
    level: overrides.level ?? config.logLevel,
    pretty: config.logFormat === 'pretty',
    secrets: configSecrets(config),
    ...(overrides.toStderr ? { destination: process.stderr } : {}),
  });
}
