import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import {
  ACQUIRE_SCRIPT,
  LockAbortError,
  RELEASE_SCRIPT,
  createRedisRunLock,
  newLockToken,
  runLockKey,
  type RedisRunLockOptions,
} from '../../src/locks/redisRunLock.ts';
import type { LockHandle, RunLock } from '../../src/locks/runLock.ts';
import { runScript } from '../../src/redis/scripts.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { awaited } from '../support/awaited.ts';
import { captureLogger, clientPool, keysWithTtl, sleep } from './helpers.ts';

const TTL = 600;
const COMMAND_TIMEOUT = 1000;

let server: TestRedisServer;
const logs = captureLogger();
const pool = clientPool(() => server.url, logs.log);
let admin: Redis;
const locks: RunLock[] = [];
let keySeq = 0;

function lockOn(redis: Redis, extra: Partial<RedisRunLockOptions> = {}): RunLock {
  const lock = createRedisRunLock({ redis, log: logs.log, ttlMs: TTL, instanceId: 'test', ...extra });
  locks.push(lock);
  return lock;
}

function freshKey() {
  keySeq += 1;
  return { guildId: `g${keySeq}`, game: 'wos', code: `CODE${keySeq}` };
}

function acquired(attempt: Awaited<ReturnType<RunLock['acquire']>>): LockHandle {
  if (attempt.status !== 'acquired') throw new Error(`expected acquired, got ${JSON.stringify(attempt)}`);
  return attempt.handle;
}

function abortedAt(signal: AbortSignal): { at: number | undefined } {
  const box: { at: number | undefined } = { at: undefined };
  signal.addEventListener('abort', () => (box.at = performance.now()), { once: true });
  return box;
}

function abortReason(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.reason;
  return reason instanceof LockAbortError ? reason.reason : undefined;
}

async function serverUp(): Promise<void> {
  server.resume();
  if (!server.running) await server.restart();
  for (const client of [admin]) await pool.ready(client);
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = pool.create();
  await pool.ready(admin);
});

afterEach(async () => {
  await serverUp();
  await Promise.allSettled(locks.splice(0).map((lock) => lock.close()));
  // Invariant 4: no lock key without a TTL is ever left behind.
  for (const [key, ttl] of await keysWithTtl(admin)) {
    expect(ttl, `key ${key} has no TTL`).not.toBe(-1);
  }
});

afterAll(async () => {
  pool.closeAll();
  await server?.stop();
});

describe('redis run lock', () => {
  it('grants one of 50 concurrent acquirers across several clients', async () => {
    const clients = Array.from({ length: 5 }, () => pool.create());
    await Promise.all(clients.map((c) => pool.ready(c)));
    const runLocks = clients.map((c, i) => lockOn(c, { instanceId: `proc${i}` }));
    const key = freshKey();
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runLocks[i % runLocks.length]!.acquire(key)),
    );
    const winners = attempts.filter((a) => a.status === 'acquired');
    expect(winners).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'busy')).toHaveLength(49);

    const redisKey = runLockKey('giftbot', key);
    expect(redisKey).toBe(`giftbot:lock:{g:${key.guildId}}:wos:${key.code}`);
    const pttl = await admin.pttl(redisKey);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(TTL);
    expect(String(await admin.get(redisKey))).toMatch(new RegExp(`^proc\\d:${process.pid}:`));

    const handle = acquired(winners[0]!);
    expect(handle.isHeld()).toBe(true);
    await handle.release();
    expect(await admin.exists(redisKey)).toBe(0);
    expect(handle.isHeld()).toBe(false);
    expect(logs.events(EVENTS.lockAcquired).length).toBeGreaterThan(0);
    expect(logs.events(EVENTS.lockBusy).length).toBeGreaterThanOrEqual(49);
    for (const c of clients) c.disconnect(false);
  });

  it('treats a re-sent acquire with the same token as still mine (lost reply)', async () => {
    const key = runLockKey('giftbot', freshKey());
    const token = newLockToken('test');
    expect(await runScript(admin, ACQUIRE_SCRIPT, [key], [token, 5000])).toBe(1);
    await admin.pexpire(key, 1000);
    // The first reply was "lost": the caller sends it again and must win again, with the expiry refreshed.
    expect(await runScript(admin, ACQUIRE_SCRIPT, [key], [token, 5000])).toBe(1);
    expect(await admin.pttl(key)).toBeGreaterThan(4000);
    expect(await runScript(admin, ACQUIRE_SCRIPT, [key], [newLockToken('other'), 5000])).toBe(0);
    expect(await admin.get(key)).toBe(token);
    expect(await runScript(admin, RELEASE_SCRIPT, [key], [token])).toBe(1);
  });

  it('never deletes another holder’s key when releasing with a stale token', async () => {
    const key = freshKey();
    const redisKey = runLockKey('giftbot', key);
    // Script level.
    const holder = newLockToken('holder');
    await admin.set(redisKey, holder, 'PX', 5000);
    expect(await runScript(admin, RELEASE_SCRIPT, [redisKey], [newLockToken('stale')])).toBe(0);
    expect(await admin.get(redisKey)).toBe(holder);
    await admin.del(redisKey);

    // Handle level: A's key expires (simulated with DEL), B takes over, A releases late.
    const a = acquired(await lockOn(admin, { instanceId: 'A' }).acquire(key));
    await admin.del(redisKey);
    const b = acquired(await lockOn(admin, { instanceId: 'B' }).acquire(key));
    const bToken = await admin.get(redisKey);
    expect(bToken).toMatch(/^B:/);
    await expect(a.release()).resolves.toBeUndefined();
    expect(await admin.get(redisKey)).toBe(bToken);
    expect(b.isHeld()).toBe(true);
    const notOwner = logs.events(EVENTS.lockReleaseNotOwner);
    expect(notOwner.length).toBeGreaterThan(0);
    expect(notOwner.at(-1)!.level).toBe('warn');
    await b.release();
    expect(await admin.exists(redisKey)).toBe(0);
  });

  it('renews: holds the lock across several TTLs, then releases without leaving a key', async () => {
    const key = freshKey();
    const redisKey = runLockKey('giftbot', key);
    const handle = acquired(await lockOn(admin).acquire(key));
    const until = performance.now() + TTL * 4;
    let checks = 0;
    while (performance.now() < until) {
      expect(handle.isHeld()).toBe(true);
      checks += 1;
      await sleep(50);
    }
    expect(checks).toBeGreaterThan(10);
    expect(handle.signal.aborted).toBe(false);
    expect(await admin.pttl(redisKey)).toBeGreaterThan(0);
    await handle.release();
    expect(await admin.exists(redisKey)).toBe(0);
    expect(handle.signal.aborted).toBe(true);
    expect(abortReason(handle.signal)).toBe('released');
    expect(logs.events(EVENTS.lockLost).filter((l) => l.code === key.code)).toHaveLength(0);
  });

  it('clears its timers on release', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const lock = lockOn(admin);
    await lock.ping();
    await sleep(20);
    const before = timers();
    const handles = await Promise.all(Array.from({ length: 20 }, () => lock.acquire(freshKey())));
    expect(timers()).toBeGreaterThanOrEqual(before + 20);
    await Promise.all(handles.map((h) => acquired(h).release()));
    await sleep(20);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('aborts the signal when the key vanishes (DEL)', async () => {
    const key = freshKey();
    const handle = acquired(await lockOn(admin).acquire(key));
    const start = performance.now();
    const box = abortedAt(handle.signal);
    await admin.del(runLockKey('giftbot', key));
    await vi.waitFor(() => awaited(handle.signal.aborted, 'the lock to abort its signal'), {
      timeout: TTL * 3,
      interval: 10,
    });
    expect(abortReason(handle.signal)).toBe('lost');
    expect(box.at! - start).toBeLessThan(TTL + 500);
    expect(handle.isHeld()).toBe(false);
    const lost = logs.events(EVENTS.lockLost).filter((l) => l.code === key.code);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBe('lost');
    await handle.release(); // not the owner any more: logged, not thrown
  });

  it('aborts the signal when Redis restarts empty', async () => {
    const client = pool.create();
    await pool.ready(client);
    const key = freshKey();
    const handle = acquired(await lockOn(client).acquire(key));
    const start = performance.now();
    await server.restart();
    await vi.waitFor(() => awaited(handle.signal.aborted, 'the lock to abort its signal'), {
      timeout: TTL * 4,
      interval: 10,
    });
    // Whether the reconnect beat the deadline decides which: either way the hold ended within about one TTL.
    expect(['lost', 'deadline']).toContain(abortReason(handle.signal));
    expect(performance.now() - start).toBeLessThan(TTL * 4);
    expect(handle.isHeld()).toBe(false);
    await handle.release();
    // The lock works again once the client has reconnected.
    await pool.ready(client);
    await pool.ready(admin);
    const again = acquired(await lockOn(client).acquire(key));
    await again.release();
    client.disconnect(false);
  });

  it('answers unavailable quickly when Redis is down or hung, and never hangs', async () => {
    const client = pool.create(COMMAND_TIMEOUT);
    await pool.ready(client);
    const lock = lockOn(client);

    server.pause(); // hung: the connection is open but nothing answers
    let t0 = performance.now();
    const hung = await lock.acquire(freshKey());
    const hungMs = performance.now() - t0;
    expect(hung.status).toBe('unavailable');
    expect(hungMs).toBeLessThan(COMMAND_TIMEOUT + 1000);
    expect(await lock.ping()).toBe(false);
    server.resume();

    await server.kill(); // down: connection refused
    t0 = performance.now();
    const down = await lock.acquire(freshKey());
    expect(down.status).toBe('unavailable');
    expect(performance.now() - t0).toBeLessThan(COMMAND_TIMEOUT + 1000);
    expect(await lock.ping()).toBe(false);
    expect(logs.events(EVENTS.lockUnavailable).length).toBeGreaterThanOrEqual(2);

    await server.restart();
    await pool.ready(client);
    expect(await lock.ping()).toBe(true);
    client.disconnect(false);
  });

  it('a held lock stops being held by its local deadline when Redis hangs or dies', async () => {
    for (const outage of ['pause', 'kill'] as const) {
      const client = pool.create(COMMAND_TIMEOUT);
      await pool.ready(client);
      const handle = acquired(await lockOn(client).acquire(freshKey()));
      await sleep(TTL / 2);
      expect(handle.isHeld()).toBe(true);
      const box = abortedAt(handle.signal);
      const outageAt = performance.now();
      if (outage === 'pause') server.pause();
      else await server.kill();
      // The last confirmed renewal was sent before the outage, so the deadline is before outageAt + TTL.
      await sleep(TTL);
      expect(handle.isHeld()).toBe(false);
      expect(handle.signal.aborted).toBe(true);
      expect(abortReason(handle.signal)).toBe('deadline');
      // The timer noticed (not just isHeld), allowing for timer lag on a loaded machine.
      expect(box.at).toBeDefined();
      expect(box.at! - outageAt).toBeLessThan(TTL + 300);
      await handle.release(); // must not throw with Redis hung or down
      await serverUp();
      client.disconnect(false);
    }
  });

  it('notices at once after the event loop was blocked past the deadline', async () => {
    const handle = acquired(await lockOn(admin).acquire(freshKey()));
    expect(handle.isHeld()).toBe(true);
    const until = performance.now() + TTL + 50;
    while (performance.now() < until) {
      // busy: no timer, no renewal can run
    }
    expect(handle.isHeld()).toBe(false);
    expect(abortReason(handle.signal)).toBe('deadline');
    await handle.release();
  });

  it('aborts after the maximum hold time', async () => {
    const handle = acquired(await lockOn(admin, { maxHoldMs: 900 }).acquire(freshKey()));
    const start = performance.now();
    await vi.waitFor(() => awaited(handle.signal.aborted, 'the lock to abort its signal'), {
      timeout: 3000,
      interval: 10,
    });
    const elapsed = performance.now() - start;
    expect(abortReason(handle.signal)).toBe('max_hold');
    expect(elapsed).toBeGreaterThanOrEqual(850);
    expect(elapsed).toBeLessThan(900 + 600);
    expect(handle.isHeld()).toBe(false);
    await handle.release();
  });

  it('an operator deleting or overwriting the key is seen before the next call, not at the next renewal', async () => {
    const lock = lockOn(admin, { ttlMs: 30_000 });
    const kept = freshKey();
    const held = acquired(await lock.acquire(kept));
    expect(await held.confirm()).toBe(true);
    expect(held.isHeld()).toBe(true);

    const key = freshKey();
    const handle = acquired(await lock.acquire(key));
    await admin.del(runLockKey('giftbot', key));
    expect(await handle.confirm()).toBe(false);
    expect(handle.signal.aborted).toBe(true);
    expect(abortReason(handle.signal)).toBe('lost');

    const other = freshKey();
    const taken = acquired(await lock.acquire(other));
    await admin.set(runLockKey('giftbot', other), 'someone-else');
    expect(await taken.confirm()).toBe(false);
    expect(taken.isHeld()).toBe(false);

    await Promise.all([held.release(), handle.release(), taken.release()]);
    // The operator's value is not ours to release: the test removes it.
    await admin.del(runLockKey('giftbot', other));
    await lock.close();
  });

  it('close() releases every lock still held', async () => {
    const lock = lockOn(admin);
    const key = freshKey();
    const handle = acquired(await lock.acquire(key));
    await lock.close();
    expect(handle.signal.aborted).toBe(true);
    expect(abortReason(handle.signal)).toBe('closed');
    expect(await admin.exists(runLockKey('giftbot', key))).toBe(0);
    expect((await lock.acquire(freshKey())).status).toBe('unavailable');
  });

  it('never logs an unhandled client error and the lock keys all carry a TTL', async () => {
    // 200 acquires at once: a TTL long enough that a loaded machine answers them all in time (the test's short TTL is
    // for the expiry tests; a late answer is refused by design, see "acquired too late").
    const lock = lockOn(admin, { ttlMs: 10_000 });
    const handles = await Promise.all(Array.from({ length: 200 }, () => lock.acquire(freshKey())));
    for (const [key, ttl] of await keysWithTtl(admin)) {
      expect(ttl, key).toBeGreaterThan(0);
    }
    await Promise.all(handles.map((h) => acquired(h).release()));
    expect((await keysWithTtl(admin)).size).toBe(0);
  });
});
