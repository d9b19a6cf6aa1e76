import type { Redis } from 'ioredis';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { errorMessage } from './scripts.ts';

/**
 * Whether Redis answers, as the rest of giftbot needs to know it: the deferred-run scheduler waits for "up", the
 * status command shows it, and an operator reads one `redis.unavailable` line when an outage starts and one
 * `redis.recovered` line when it ends.
 *
 * The client's connection state alone is not enough (a hung Redis keeps its TCP connection open), so a PING bounded by
 * the client's command timeout runs every `intervalMs`; connection events only make the check happen sooner.
 */
export interface RedisHealth {
  /** The last answer: true (PONG), false (error or timeout), null before the first check. */
  reachable(): boolean | null;
  /** Epoch ms of the last change of `reachable`. */
  since(): number;
  lastError(): string | null;
  /** Runs a check now (PINGs at most once at a time). */
  check(): Promise<boolean>;
  /** Called on every change between reachable and unreachable; returns an unsubscribe function. */
  onChange(listener: (reachable: boolean) => void): () => void;
  close(): void;
}

export interface RedisHealthOptions {
  client: Redis;
  log: Logger;
  /** PING period. Default 1000 ms. */
  intervalMs?: number;
}

export function createRedisHealth(options: RedisHealthOptions): RedisHealth {
  const { client, log } = options;
  const intervalMs = options.intervalMs ?? 1_000;
  let reachable: boolean | null = null;
  let since = Date.now();
  let lastError: string | null = null;
  let running: Promise<boolean> | null = null;
  let closed = false;
  const listeners = new Set<(reachable: boolean) => void>();

  function set(next: boolean, err?: unknown): void {
    if (!next) lastError = err === undefined ? lastError : errorMessage(err);
    if (reachable === next) return;
    const previous = reachable;
    const downMs = Date.now() - since;
    reachable = next;
    since = Date.now();
    if (next) {
      // A first successful check at start-up is not a recovery.
      if (previous === false)
        log.info(
          { event: EVENTS.redisRecovered, downMs },
          'Redis answers again: deferred runs resume, the budget is shared again',
        );
    } else {
      log.warn(
        { event: EVENTS.redisUnavailable, err: lastError },
        'Redis does not answer: automatic runs are deferred until it does, the budget falls back to this process’s share',
      );
    }
    for (const listener of listeners) listener(next);
  }

  async function ping(): Promise<boolean> {
    try {
      const ok = (await client.ping()) === 'PONG';
      if (!closed) set(ok, ok ? undefined : new Error('unexpected PING reply'));
      return ok;
    } catch (err) {
      if (!closed) set(false, err);
      return false;
    }
  }

  function check(): Promise<boolean> {
    running ??= ping().finally(() => (running = null));
    return running;
  }

  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  const onReady = (): void => void check();
  const onClose = (): void => {
    if (!closed) set(false, new Error('connection closed'));
  };
  client.on('ready', onReady);
  client.on('close', onClose);

  return {
    reachable: () => reachable,
    since: () => since,
    lastError: () => lastError,
    check,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearInterval(timer);
      client.off('ready', onReady);
      client.off('close', onClose);
      listeners.clear();
    },
  };
}
