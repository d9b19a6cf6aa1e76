import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACQUIRE_SCRIPT, RELEASE_SCRIPT, createRedisRunLock, runLockKey } from '../../src/locks/redisRunLock.ts';
import type { RunLock } from '../../src/locks/runLock.ts';
import { createRedisClient } from '../../src/redis/createRedisClient.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.ts';
import { captureLogger, clientPool } from './helpers.ts';

// The default TTL: a code blocked "for a whole TTL" would be blocked for 30 s.
const TTL = 30_000;

let server: TestRedisServer;
let proxy: TcpProxy;
const logs = captureLogger();
const pool = clientPool(() => server.url, logs.log);
const locks: RunLock[] = [];
const proxied: Redis[] = [];
let admin: Redis;
let keySeq = 0;

function freshKey() {
  keySeq += 1;
  return { guildId: `lost${keySeq}`, game: 'wos', code: `LOST${keySeq}` };
}

/** A lock whose Redis client goes through the proxy (commands time out after 300 ms, reconnects every 50-100 ms). */
async function proxiedLock(): Promise<RunLock> {
  const redis = createRedisClient({ url: proxy.url, log: logs.log, commandTimeoutMs: 300, maxReconnectDelayMs: 100 });
  proxied.push(redis);
  await pool.ready(redis);
  const lock = createRedisRunLock({ redis, log: logs.log, ttlMs: TTL, instanceId: 'proxied' });
  locks.push(lock);
  return lock;
}

function directLock(): RunLock {
  const lock = createRedisRunLock({ redis: admin, log: logs.log, ttlMs: TTL, instanceId: 'other' });
  locks.push(lock);
  return lock;
}

beforeAll(async () => {
  server = await startRedisServer();
  proxy = await startTcpProxy(server.port);
  admin = pool.create();
  await pool.ready(admin);
  // Loaded beforehand, so the reply that is lost is the acquire's own, not a NOSCRIPT before it.
  for (const script of [ACQUIRE_SCRIPT, RELEASE_SCRIPT]) await admin.script('LOAD', script.lua);
});

afterEach(async () => {
  await Promise.allSettled(locks.splice(0).map((lock) => lock.close()));
  for (const client of proxied.splice(0)) client.disconnect(false);
});

afterAll(async () => {
  pool.closeAll();
  await proxy?.close();
  await server?.stop();
});

describe('an acquire whose reply is lost (issue 12, finding 2)', () => {
  it('does not block the code for a TTL: the clean-up is retried until it lands, and another process gets the lock', async () => {
    const lock = await proxiedLock();
    const key = freshKey();
    const dropped = proxy.dropNextReply(1_000);
    const attempt = await lock.acquire(key);
    await dropped;
    expect(attempt.status).toBe('unavailable');
    // The acquire did land: the key is there, with our token, for 30 s.
    expect(await admin.pttl(runLockKey('giftbot', key))).toBeGreaterThan(1_000);

    // Another process is refused only until the clean-up lands after the reconnect, not for the TTL.
    const other = directLock();
    let last = '';
    const until = performance.now() + 10_000;
    while (performance.now() < until) {
      const next = await other.acquire(key);
      last = next.status;
      if (next.status === 'acquired') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toBe('acquired');
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('the same process’s next attempt keeps the token and recovers the key (the script’s “already mine”)', async () => {
    const lock = await proxiedLock();
    const key = freshKey();
    const dropped = proxy.dropNextReply(1_000);
    expect((await lock.acquire(key)).status).toBe('unavailable');
    await dropped;
    // Retry the way a deferred run does: until the lock service answers. The answer must be "acquired", not "busy".
    let status = 'unavailable';
    const until = performance.now() + 10_000;
    while (status === 'unavailable' && performance.now() < until) {
      const attempt = await lock.acquire(key);
      status = attempt.status;
      if (attempt.status === 'acquired') await attempt.handle.release();
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('acquired');
    expect(await admin.exists(runLockKey('giftbot', key))).toBe(0);
  }, 30_000);
});
