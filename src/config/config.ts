import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { discoverySecrets, readDiscoveryConfig, type DiscoveryConfig } from '../codes/discoveryConfig.ts';
import { readDiscordSettings, type DiscordSettings } from '../discord/discordConfig.ts';
import type { Game } from '../game/games.ts';
import { resolveProjectPath } from './projectRoot.ts';
import { readCoordinationConfig, type CoordinationConfig } from './coordinationConfig.ts';
import { readPostgresSettings, type PostgresSettings } from './databaseConfig.ts';
import { readOpsConfig, type OpsConfig } from '../ops/opsConfig.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** The SQLite file; also the folder for local files (the command hash) when PostgreSQL holds the data. */
  databasePath: string;
  /** DATABASE_URL: the shared PostgreSQL store (several hosts); null: the SQLite file. */
  postgres: PostgresSettings | null;
  apiBases: Record<Game, string>;
  /** Sign salt overrides (the defaults are in config/games.json). */
  signSalts: Partial<Record<Game, string>>;
  redisUrl: string | null;
  /**
   * EGRESS_ADDRESS: the local address the game-API calls are sent from, and the identity of the shared budget (the
   * game counts per client address); null: the system's choice, the budget named 'default'.
   */
  egressAddress: string | null;
  logLevel: LogLevel;
  logFormat: 'json' | 'pretty';
  ratePerMinute: number;
  /** Length of the budget window; 60 s for the real API, shorter for tests and benchmarks. */
  rateWindowMs: number;
  /** Safety gap added to every budget window (RATE_LIMIT_MARGIN_MS); null: each budget's automatic margin. */
  rateMarginMs: number | null;
  /** The longest pause any answer can impose on a budget (RATE_LIMIT_MAX_PAUSE_MS); a longer Retry-After is cut. */
  rateMaxPauseMs: number;
  playerSpacingMs: number;
  redeemConcurrency: number;
  /** State discovery tries states up to this far either side of the alliance's state. */
  stateDiscoveryRange: number;
  apiConnectTimeoutMs: number;
  apiReadTimeoutMs: number;
  discord: ({ token: string; applicationId: string; apiBase: string | null } & DiscordSettings) | null;
  instanceId: string;
  /** Several processes: lock TTL, Redis timeouts, the fallback budget share, deferred-run retries. */
  coordination: CoordinationConfig;
  /** Code feeds, their polling, and the test players new codes are checked on. */
  discovery: DiscoveryConfig;
  /** /healthz and /metrics, the stuck-run watchdog, the shutdown deadline. */
  ops: OpsConfig;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export interface LoadConfigOptions {
  /** The bot (`npm start`), not a tool: with NODE_ENV=production it needs DISCORD_TOKEN instead of running the demo. */
  bot?: boolean;
}

const REAL_BASES: Record<Game, string> = {
  wos: 'https://wos-giftcode-api.centurygame.com/api/',
  kingshot: 'https://kingshot-giftcode.centurygame.com/api/',
};

/**
 * Reads and checks every setting once, at start-up. Every problem is collected, so an operator fixes a broken
 * configuration in one go instead of one restart per mistake.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): ConfigResult {
  return readConfig(env, options).result;
}

/** Every key giftbot reads (for the warning about look-alike keys that it does not). */
export function knownConfigKeys(): Set<string> {
  const keys = readConfig({}, {}).keys;
  keys.add('NODE_ENV');
  return keys;
}

function readConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions): { result: ConfigResult; keys: Set<string> } {
  const problems: string[] = [];
  const keys = new Set<string>();
  const value = (key: string): string | undefined => {
    keys.add(key);
    const raw = env[key];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = value(key);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) {
      problems.push(`${key} must be a whole number, got "${raw}"`);
      return fallback;
    }
    const n = Number(raw);
    if (n < min || n > max) problems.push(`${key} must be between ${min} and ${max}, got ${n}`);
    return n;
  };

  const url = (key: string, fallback: string | null, protocols: readonly string[]): string | null => {
    const raw = value(key);
    if (raw === undefined) return fallback;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${key} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${redactUrl(raw)}"`);
      }
      return raw;
    } catch {
      problems.push(`${key} is not a valid URL: "${redactUrl(raw)}"`);
      return fallback;
    }
  };

  const ipLiteral = (key: string): string | null => {
    const raw = value(key);
    if (raw === undefined) return null;
    if (isIP(raw) === 0)
      problems.push(`${key} must be an IPv4 or IPv6 address of this host (e.g. 203.0.113.7), got "${raw}"`);
    return isIP(raw) === 0 ? null : raw;
  };

  const apiBase = (key: string, game: Game): string => {
    const base = url(key, REAL_BASES[game], ['http:', 'https:']) ?? REAL_BASES[game];
    // The client joins `gift_code` onto the base, which needs the trailing slash.
    return base.endsWith('/') ? base : `${base}/`;
  };

  const logLevelRaw = value('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const logFormatRaw = value('LOG_FORMAT') ?? 'auto';
  if (!['auto', 'json', 'pretty'].includes(logFormatRaw))
    problems.push(`LOG_FORMAT must be auto, json or pretty, got "${logFormatRaw}"`);
  const logFormat: 'json' | 'pretty' =
    logFormatRaw === 'pretty' || (logFormatRaw === 'auto' && process.stdout.isTTY && env.NODE_ENV !== 'production')
      ? 'pretty'
      : 'json';

  const token = value('DISCORD_TOKEN');
  const applicationId = value('DISCORD_APPLICATION_ID');
  if (token && !applicationId)
    problems.push(
      "DISCORD_APPLICATION_ID is required when DISCORD_TOKEN is set (the bot's application id, from the Developer Portal)",
    );
  if (applicationId && !/^\d{5,25}$/.test(applicationId))
    problems.push(`DISCORD_APPLICATION_ID must be a numeric id, got "${applicationId}"`);
  if (options.bot && !token && env.NODE_ENV === 'production') {
    problems.push(
      "DISCORD_TOKEN is not set: with NODE_ENV=production giftbot runs the bot, never the offline demo. Put the bot's token (Developer Portal → Bot → Reset Token) in .env, or run the demo with `npm run demo`",
    );
  }
  if (token && /\s/.test(token)) problems.push('DISCORD_TOKEN contains spaces; paste the token alone');
  const discordApiBase = url('DISCORD_API_BASE', null, ['http:', 'https:']);
  const discordSettings = readDiscordSettings(value, integer, problems);

  const config: Config = {
    databasePath: resolveProjectPath(value('DATABASE_PATH') ?? './data/giftbot.sqlite'),
    postgres: readPostgresSettings(value, integer, problems),
    apiBases: { wos: apiBase('WOS_API_BASE', 'wos'), kingshot: apiBase('KINGSHOT_API_BASE', 'kingshot') },
    signSalts: {
      ...(value('WOS_SIGN_SALT') ? { wos: value('WOS_SIGN_SALT')! } : {}),
      ...(value('KINGSHOT_SIGN_SALT') ? { kingshot: value('KINGSHOT_SIGN_SALT')! } : {}),
    },
    redisUrl: url('REDIS_URL', null, ['redis:', 'rediss:']),
    egressAddress: ipLiteral('EGRESS_ADDRESS'),
    logLevel: logLevelRaw as LogLevel,
    logFormat,
    ratePerMinute: integer('RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
    rateWindowMs: integer('RATE_LIMIT_WINDOW_MS', 60_000, 100, 3_600_000),
    rateMarginMs: value('RATE_LIMIT_MARGIN_MS') === undefined ? null : integer('RATE_LIMIT_MARGIN_MS', 0, 0, 600_000),
    rateMaxPauseMs: integer('RATE_LIMIT_MAX_PAUSE_MS', 300_000, 1_000, 86_400_000),
    playerSpacingMs: integer('PLAYER_SPACING_MS', 2_500, 0, 60_000),
    redeemConcurrency: integer('REDEEM_CONCURRENCY', 8, 1, 64),
    stateDiscoveryRange: integer('STATE_DISCOVERY_RANGE', 50, 0, 2_000),
    apiConnectTimeoutMs: integer('API_CONNECT_TIMEOUT_MS', 10_000, 100, 120_000),
    apiReadTimeoutMs: integer('API_READ_TIMEOUT_MS', 20_000, 100, 300_000),
    discord: token && applicationId ? { token, applicationId, apiBase: discordApiBase, ...discordSettings } : null,
    instanceId: value('INSTANCE_ID') ?? `${hostname()}-${process.pid}`,
    coordination: readCoordinationConfig(value, integer, problems),
    discovery: readDiscoveryConfig(value, integer, problems),
    ops: readOpsConfig(value, integer, problems),
  };
  return { result: problems.length > 0 ? { ok: false, problems } : { ok: true, config }, keys };
}

/** Hides a password in a URL (redis://:secret@host) before it is shown anywhere. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^/@]*)@/, (_match, auth: string) =>
    auth.includes(':') ? `//${auth.split(':')[0]}:[redacted]@` : '//[redacted]@',
  );
}

/** Values that must never appear in a log line. */
export function configSecrets(config: Config): string[] {
  const secrets: string[] = Object.values(config.signSalts);
  if (config.discord) secrets.push(config.discord.token);
  secrets.push(...discoverySecrets(config.discovery));
  for (const url of [config.redisUrl, config.postgres?.url]) {
    if (!url) continue;
    try {
      const password = new URL(url).password;
      if (password) secrets.push(decodeURIComponent(password));
    } catch {
      /* validated already */
    }
  }
  return secrets;
}
