import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

// ioredis is loaded when the first client is made, not at start-up: a bot without REDIS_URL never pays for it
// (about 9 MB of an idle process's memory).
const require = createRequire(import.meta.url);
const loadRedis = (): typeof Redis => (require('ioredis') as typeof import('ioredis')).Redis;
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';

/**
 * The Redis client used by the run locks and the shared rate budget.
 *
 * These callers need an answer quickly or not at all: a lock renewal that hangs hides an outage, and a budget that
 * waits for Redis stalls every redemption. So, unlike ioredis defaults:
 * - every command is bounded by `commandTimeoutMs` (rejects with "Command timed out");
 * - nothing is queued while disconnected (`enableOfflineQueue: false`): a command fails at once instead of waiting
 *   for a reconnect that may never come;
 * - commands lost with a dropped connection are not re-sent later (`autoResendUnfulfilledCommands: false`) and
 *   `maxRetriesPerRequest` is 1;
 * - the client connects in the background and reconnects forever with capped, jittered backoff;
 * - connection errors are logged (once per outage at warn level, then at debug) and never surface as unhandled
 *   'error' events, so a down Redis can never crash the process.
 */
export interface RedisClientSettings {
  url: string;
  log: Logger;
  /** Shown in `CLIENT LIST` and in log lines. */
  connectionName?: string;
  /** Upper bound for one command, in ms. Default 1000. */
  commandTimeoutMs?: number;
  /** Upper bound for establishing the TCP connection, in ms. Default 2000. */
  connectTimeoutMs?: number;
  /** Cap of the reconnect backoff, in ms. Default 5000. */
  maxReconnectDelayMs?: number;
  /** Extra ioredis options; applied last (use with care: they can undo the bounds above). */
  overrides?: Partial<ClientOptions>;
}

// Legacy replies only: ioredis types `replyMapping` as `| undefined` in RedisOptions but not in its constructor.
type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** Exponential backoff from 50 ms, capped, with up to 20 % jitter so many processes do not reconnect in step. */
export function reconnectDelay(attempt: number, capMs: number): number {
  const base = Math.min(capMs, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.max(10, Math.round(base * (0.8 + Math.random() * 0.2)));
}

export function createRedisClient(settings: RedisClientSettings): Redis {
  const { url, log } = settings;
  const commandTimeout = settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const maxDelay = settings.maxReconnectDelayMs ?? 5000;
  const name = settings.connectionName ?? 'giftbot';

  const options: ClientOptions = {
    commandTimeout,
    connectTimeout: settings.connectTimeoutMs ?? 2000,
    // On close, a socket still connecting to a dead Redis is destroyed after this (ioredis waits 2 s by default, which
    // kept a one-shot CLI command alive that long).
    disconnectTimeout: 200,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    lazyConnect: false,
    connectionName: name,
    retryStrategy: (times) => reconnectDelay(times, maxDelay),
    // A READONLY error means we are talking to a replica after a failover: reconnect to find the primary.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    ...settings.overrides,
  };

  const RedisClient = loadRedis();
  const client = new RedisClient(url, options);

  // Outage bookkeeping: one warn line when it starts, one info line when it ends; details in between at debug.
  let failing = false;
  let failingSince = 0;
  let errorsDuringOutage = 0;

  client.on('error', (err: Error) => {
    errorsDuringOutage += 1;
    if (!failing) {
      failing = true;
      failingSince = Date.now();
      log.warn(
        { event: EVENTS.healthChanged, component: 'redis', connection: name, healthy: false, err: describe(err) },
        'redis connection failed; retrying in the background',
      );
    } else {
      log.debug(
        { event: EVENTS.healthChanged, component: 'redis', connection: name, healthy: false, err: describe(err) },
        'redis still unreachable',
      );
    }
  });
  client.on('close', () => {
    if (!failing && client.status !== 'end') {
      failing = true;
      failingSince = Date.now();
      log.warn(
        { event: EVENTS.healthChanged, component: 'redis', connection: name, healthy: false },
        'redis connection closed; reconnecting in the background',
      );
    }
  });
  client.on('ready', () => {
    if (failing) {
      log.info(
        {
          event: EVENTS.healthChanged,
          component: 'redis',
          connection: name,
          healthy: true,
          downMs: Date.now() - failingSince,
          errors: errorsDuringOutage,
        },
        'redis connection restored',
      );
    }
    failing = false;
    errorsDuringOutage = 0;
  });

  return client;
}

/** Close a client without throwing, whatever its state. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect(false);
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Resolves true once the client is ready, false after `timeoutMs` (never rejects). Commands fail at once while the
 * client is not connected (no offline queue), so call this at start-up before the first lock or budget call.
 */
export async function waitForRedisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  if (client.status === 'end') return false;
  return await new Promise<boolean>((resolve) => {
    const onReady = (): void => finish(true);
    // Closed while waiting (a one-shot CLI command ends): stop waiting at once rather than hold the process open.
    const onEnd = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean): void {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ok);
    }
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}
