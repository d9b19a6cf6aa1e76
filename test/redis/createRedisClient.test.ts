import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { closeRedisClient, createRedisClient, waitForRedisReady } from '../../src/redis/createRedisClient.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { awaited } from '../support/awaited.ts';
import { captureLogger, sleep } from './helpers.ts';

let server: TestRedisServer | undefined;

afterAll(async () => {
  await server?.stop();
});

describe('createRedisClient', () => {
  it('survives a Redis that is not there: fast failures, one warn line, reconnects when it appears', async () => {
    server = await startRedisServer();
    await server.kill(); // the port is known, nothing listens on it
    const logs = captureLogger();
    const client = createRedisClient({ url: server.url, log: logs.log, maxReconnectDelayMs: 100 });
    try {
      expect(await waitForRedisReady(client, 300)).toBe(false);
      const t0 = performance.now();
      await expect(client.ping()).rejects.toThrow();
      expect(performance.now() - t0).toBeLessThan(200); // no offline queue: fails at once
      await sleep(500); // several reconnect attempts
      const down = logs.events(EVENTS.healthChanged).filter((l) => l.healthy === false);
      expect(down.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(JSON.stringify(logs.lines)).not.toContain(server.url);

      await server.restart();
      expect(await waitForRedisReady(client, 5000)).toBe(true);
      expect(await client.ping()).toBe('PONG');
      expect(logs.events(EVENTS.healthChanged).some((l) => l.healthy === true && l.level === 'info')).toBe(true);
    } finally {
      await closeRedisClient(client);
    }
  });

  it('bounds a command against a hung Redis by the command timeout', async () => {
    server ??= await startRedisServer();
    if (!server.running) await server.restart();
    const logs = captureLogger();
    const client = createRedisClient({ url: server.url, log: logs.log, commandTimeoutMs: 500 });
    try {
      expect(await waitForRedisReady(client, 5000)).toBe(true);
      server.pause();
      const t0 = performance.now();
      await expect(client.set('k', 'v')).rejects.toThrow(/timed out/);
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(500 + 1000);
      server.resume();
      await vi.waitFor(() => awaited(client.status === 'ready', 'the client to be ready again'), {
        timeout: 2000,
        interval: 10,
      });
      expect(await client.ping()).toBe('PONG');
    } finally {
      server.resume();
      await closeRedisClient(client);
    }
  });
});
