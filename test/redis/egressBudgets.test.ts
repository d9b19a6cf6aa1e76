import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { createPlayerSpacing } from '../../src/pacing/playerSpacing.ts';
import { createRedisCoordination, type RedisCoordination } from '../../src/runtime/sharedCoordination.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';

const HOST = 'wos-giftcode-api.example';
const LIMIT = 3;
let redis: TestRedisServer;
const opened: RedisCoordination[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const coordination of opened) await coordination.close();
  await redis.stop();
});

/** One process's shared coordination, as src/runtime.ts builds it, sending from `egress`. */
async function processOn(egress: string | null, name: string): Promise<RedisCoordination> {
  const loaded = loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'egress-test' });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const coordination = createRedisCoordination({
    url: redis.url,
    settings: loaded.config.coordination,
    ratePerWindow: LIMIT,
    // A long window: a slot spent in this test is not given back while it runs.
    rateWindowMs: 600_000,
    rateMarginMs: 0,
    instanceId: name,
    egress,
    log: silentLogger(),
  });
  opened.push(coordination);
  expect(await coordination.ready()).toBe(true);
  return coordination;
}

describe('one shared budget per egress address', () => {
  it('processes on the same address share the slots; a process on another address has its own', async () => {
    const first = await processOn('127.0.0.2', 'a');
    const sameAddress = await processOn('127.0.0.2', 'b');
    const otherAddress = await processOn('127.0.0.3', 'c');

    for (let i = 0; i < LIMIT; i++) await first.budgetFor(HOST).acquire();
    // The address's window is spent: the second process on it waits…
    const stop = new AbortController();
    let sameGranted = false;
    const same = sameAddress
      .budgetFor(HOST)
      .acquire({ signal: stop.signal })
      .then(() => (sameGranted = true))
      .catch(() => undefined);
    await vi.waitFor(() => expect(sameAddress.budgetFor(HOST).snapshot().waiting).toBe(1));
    // …while the process on the other address gets its whole budget.
    for (let i = 0; i < LIMIT; i++) await otherAddress.budgetFor(HOST).acquire();
    expect(sameGranted).toBe(false);
    expect(sameAddress.budgetFor(HOST).snapshot().available).toBe(0);
    stop.abort(new Error('test over'));
    await same;
    expect(sameGranted).toBe(false);
  });

  it('names the budget key after the egress address, and "default" without one', async () => {
    const { budgetKey } = await import('../../src/runtime/sharedCoordination.ts');
    expect(budgetKey('giftbot', '2001:db8::7', HOST)).toBe(`giftbot:budget:2001:db8::7:${HOST}`);
    expect(budgetKey('giftbot', null, HOST)).toBe(`giftbot:budget:default:${HOST}`);
  });
});

describe('per-player spacing shared through Redis', () => {
  it('a player called by one process is not called by another within the gap, whatever its address', async () => {
    const one = (await processOn('127.0.0.2', 'd')).playerSpacing(createPlayerSpacing(60_000), 60_000);
    const two = (await processOn('127.0.0.3', 'e')).playerSpacing(createPlayerSpacing(60_000), 60_000);
    expect(await one.claim!('wos:7001')).toBe(0);
    const left = await two.claim!('wos:7001');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);
    // The other process's local spacing learnt it too (its runs requeue the member instead of waiting on it).
    expect(two.waitFor('wos:7001')).toBeGreaterThan(0);
    // Another player is free.
    expect(await two.claim!('wos:7002')).toBe(0);
  });
});

describe('per-player spacing while Redis is down', () => {
  it("falls back to the process's own spacing instead of stopping calls", async () => {
    const spacing = (await processOn(null, 'f')).playerSpacing(createPlayerSpacing(60_000), 60_000);
    await redis.kill();
    try {
      expect(await spacing.claim!('wos:7101')).toBe(0);
      expect(await spacing.claim!('wos:7101')).toBe(0);
    } finally {
      await redis.restart();
    }
  });
});

describe('EGRESS_ADDRESS', () => {
  it('accepts an IPv4 or IPv6 literal and refuses anything else', () => {
    for (const address of ['127.0.0.2', '2001:db8::7']) {
      const loaded = loadConfig({ EGRESS_ADDRESS: address });
      expect(loaded.ok && loaded.config.egressAddress).toBe(address);
    }
    const wrong = loadConfig({ EGRESS_ADDRESS: 'eth0' });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.problems.join('\n')).toMatch(/EGRESS_ADDRESS must be an IPv4 or IPv6 address/);
  });
});
