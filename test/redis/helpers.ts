import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { createRedisClient } from '../../src/redis/createRedisClient.ts';

export interface LogLine {
  level: string;
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

/** A real pino logger (same settings as production) whose JSON lines are kept in memory. */
export function captureLogger(level = 'debug'): { log: Logger; lines: LogLine[]; events(name: string): LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      }
      callback();
    },
  });
  const log = createLogger({ level, destination });
  return { log, lines, events: (name) => lines.filter((l) => l.event === name) };
}

/** A client for tests, with the production settings; closed by `closeAll`. */
export function clientPool(url: () => string, log: Logger) {
  const clients: Redis[] = [];
  return {
    create(commandTimeoutMs = 1000): Redis {
      const client = createRedisClient({ url: url(), log, commandTimeoutMs, maxReconnectDelayMs: 200 });
      clients.push(client);
      return client;
    },
    async ready(client: Redis): Promise<void> {
      if (client.status === 'ready') return;
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
    },
    closeAll(): void {
      for (const client of clients.splice(0)) client.disconnect(false);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every key in the database with its PTTL (-1 = no expiry). */
export async function keysWithTtl(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) out.set(key, await redis.pttl(key));
  } while (cursor !== '0');
  return out;
}
