import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { EVENTS } from './events.ts';

export type { Logger } from 'pino';

/** Paths that may carry secrets anywhere we log objects (config, errors, request options). */
const REDACT_PATHS = [
  'token',
  'discordToken',
  'DISCORD_TOKEN',
  'apiKey',
  'salt',
  'password',
  'redisUrl',
  'REDIS_URL',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.token',
  '*.discordToken',
  '*.apiKey',
  '*.salt',
  '*.password',
  '*.redisUrl',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
];

export interface LoggerSettings {
  level: string;
  /** Human-readable output for a terminal; JSON otherwise (production, tests, log files). */
  pretty?: boolean;
  /** Literal secret values (tokens, keys) scrubbed from every serialized line, wherever they appear. */
  secrets?: readonly string[];
  destination?: pino.DestinationStream;
  /** The pretty printer's package; only tests change it (to show the fallback when it is not installed). */
  prettyModule?: string;
}

export function createLogger(settings: LoggerSettings): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s.length >= 6);
  const options: LoggerOptions = {
    level: settings.level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (secrets.length > 0) {
    // Last line of defence: a secret that slipped into a message or an error text is replaced before it is written.
    options.hooks = {
      streamWrite: (line: string) => scrubSecrets(line, secrets),
    };
  }
  if (settings.destination) return pino(options, settings.destination);
  if (settings.pretty) {
    const target = settings.prettyModule ?? 'pino-pretty';
    if (isInstalled(target))
      return pino({ ...options, transport: { target, options: { translateTime: 'SYS:HH:MM:ss' } } });
    // pino-pretty is a development dependency: a production install (the Docker image) does not have it.
    const log = pino(options);
    log.warn(
      { event: EVENTS.logFormatFallback, module: target },
      `pretty logs need ${target}, which is not installed (production install): writing JSON lines`,
    );
    return log;
  }
  return pino(options);
}

function isInstalled(moduleName: string): boolean {
  try {
    createRequire(import.meta.url).resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('[redacted]');
  }
  return out;
}

/** A logger that drops everything; for CLI paths that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
