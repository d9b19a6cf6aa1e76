import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { startOps, type Ops } from '../../src/ops/startOps.ts';
import { createRedisRunLock } from '../../src/locks/redisRunLock.ts';
import { closeRedisClient, createRedisClient } from '../../src/redis/createRedisClient.ts';
import { silentLogger } from '../../src/log/logger.ts';
import type { Redis } from 'ioredis';
import type { Core } from '../../src/core.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { awaited } from '../support/awaited.ts';
import { get, WAIT } from './helpers.ts';
import { giftCode } from '../../src/game/giftCode.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
let ops: Ops | undefined;
let redis: TestRedisServer | undefined;
let lockClient: Redis | undefined;
afterEach(async () => {
  await ops?.stop();
  await h?.close();
  if (lockClient) await closeRedisClient(lockClient);
  await redis?.stop();
  lockClient = undefined;
  h = undefined;
  ops = undefined;
  redis = undefined;
});

function opsFor(app: Core, discordReady?: () => boolean): Promise<Ops> {
  return startOps({
    config: app.config,
    log: app.log,
    store: app.store,
    activeRuns: app.activeRuns,
    runLock: app.runLock,
    metrics: app.metrics,
    ...(discordReady ? { discordReady } : {}),
  });
}

/** One sample's value from the Prometheus text, 0 when the series does not exist yet. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe('/metrics', () => {
  it('counts match the run summaries: redemptions by outcome, API calls and 429s, runs, duplicates, locks', async () => {
    h = await startCoreHarness({ sim: { rateLimit: { limit: 10, windowMs: 3_000 } }, env: { METRICS_PORT: '0' } });
    const fids = await seedAlliance(h, { count: 14 });
    // Two members the game knows in another state: their result is a final failure (wrong state).
    for (const fid of fids.slice(0, 2)) h.sim.addPlayer('wos', { fid, kid: 300 });
    h.sim.addCode('wos', 'METRIC1');
    expect(h.app.metrics).not.toBeNull();
    ops = await opsFor(h.app);
    expect(ops.server).not.toBeNull();
    const url = ops.server!.url;

    // Another tool on the same IP has just used up the server's window: giftbot's first calls meet 429s.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h!.app.client.redeem({ game: 'wos', fid: fids[i]!, kid: 245, code: 'SOMEONEELSE' }),
      ),
    );
    const [first, duplicate] = await Promise.all([
      h.app.engine.processAutoRedeem(GUILD, giftCode('METRIC1'), { trigger: 'auto' }),
      h.app.engine.processAutoRedeem(GUILD, giftCode('METRIC1'), { trigger: 'manual' }),
    ]);
    expect(first.status).toBe('completed');
    expect(duplicate.status).toBe('duplicate');
    const second = await h.app.engine.processAutoRedeem(GUILD, giftCode('METRIC1'), { trigger: 'manual' });
    expect(second.apiCalls).toBe(0);

    const metrics = await get(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    const text = metrics.body;
    const wos = { game: 'wos' };
    expect(first.counts.success).toBe(12);
    expect(first.counts.failed).toBe(2);
    expect(sample(text, 'giftbot_redemptions_total', { ...wos, outcome: 'success' })).toBe(first.counts.success);
    expect(sample(text, 'giftbot_redemptions_total', { ...wos, outcome: 'already' })).toBe(first.counts.already);
    expect(sample(text, 'giftbot_redemptions_total', { ...wos, outcome: 'failed' })).toBe(first.counts.failed);
    expect(sample(text, 'giftbot_redemptions_total', { ...wos, outcome: 'retry-exhausted' })).toBe(
      first.counts.retryExhausted,
    );
    // Every API call is in the latency histogram; the 429s are counted apart.
    const calls = ['success', 'already-redeemed', 'member-final', 'code-final', 'retry-later', 'config-error']
      .map((kind) => sample(text, 'giftbot_api_request_duration_seconds_count', { ...wos, kind }))
      .reduce((a, b) => a + b, 0);
    expect(calls).toBe(first.apiCalls);
    expect(first.rateLimited).toBeGreaterThan(0);
    expect(sample(text, 'giftbot_api_rate_limited_total', wos)).toBe(first.rateLimited);
    expect(sample(text, 'giftbot_runs_total', { status: 'completed' })).toBe(2);
    expect(sample(text, 'giftbot_runs_total', { status: 'duplicate' })).toBe(1);
    expect(sample(text, 'giftbot_duplicates_refused_total', { layer: 'local' })).toBe(1);
    expect(sample(text, 'giftbot_lock_events_total', { event: 'acquired' })).toBe(2);
    expect(sample(text, 'giftbot_lock_events_total', { event: 'released' })).toBe(2);
    expect(sample(text, 'giftbot_runs_in_progress')).toBe(0);
    // prom-client's process metrics are there too, under the names stock dashboards use.
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toMatch(/^giftbot_(process|nodejs)_/m);
  });

  it('exports every known series at 0 before its first event, the build, and whether Discord is connected', async () => {
    const feeds = JSON.stringify([
      { name: 'community', url: 'http://127.0.0.1:9/codes', game: 'wos', format: 'community' },
    ]);
    let connected = false;
    h = await startCoreHarness({
      env: { METRICS_PORT: '0', CODE_FEEDS: feeds },
      deps: { discordConnected: () => connected },
    });
    ops = await opsFor(h.app);
    const scrape = async () => (await get(`${ops!.server!.url}/metrics`)).body;
    const text = await scrape();
    const lines = new Set(text.split('\n'));
    for (const game of ['wos', 'kingshot']) {
      for (const outcome of ['success', 'already', 'failed', 'retry-exhausted'])
        expect(lines).toContain(`giftbot_redemptions_total{game="${game}",outcome="${outcome}"} 0`);
      expect(lines).toContain(`giftbot_api_rate_limited_total{game="${game}"} 0`);
      expect(lines).toContain(`giftbot_api_request_duration_seconds_count{game="${game}",kind="retry-later"} 0`);
    }
    for (const status of [
      'completed',
      'duplicate',
      'code-invalid',
      'config-error',
      'refused',
      'deferred',
      'aborted',
      'failed',
    ])
      expect(lines).toContain(`giftbot_runs_total{status="${status}"} 0`);
    expect(lines).toContain('giftbot_duplicates_refused_total{layer="redis"} 0');
    expect(lines).toContain('giftbot_lock_events_total{event="stale-fence"} 0');
    for (const outcome of ['ok', 'not-modified', 'failed'])
      expect(lines).toContain(`giftbot_feed_polls_total{feed="community",outcome="${outcome}"} 0`);
    expect(lines).toContain(`giftbot_build_info{version="0.1.0",node="${process.versions.node}"} 1`);
    expect(lines).toContain('giftbot_deferred_runs_waiting 0');
    // No Redis configured: no Redis gauge claiming it is down.
    expect(text).not.toContain('giftbot_redis_up');
    expect(lines).toContain('giftbot_discord_connected 0');
    connected = true;
    expect(new Set((await scrape()).split('\n'))).toContain('giftbot_discord_connected 1');
  });

  it('shows a run in progress while it runs', async () => {
    h = await startCoreHarness({ sim: { latencyMs: 150 }, env: { METRICS_PORT: '0', REDEEM_CONCURRENCY: '1' } });
    await seedAlliance(h, { count: 8 });
    h.sim.addCode('wos', 'LIVE1');
    ops = await opsFor(h.app);
    const run = h.app.engine.processAutoRedeem(GUILD, giftCode('LIVE1'), { trigger: 'auto' });
    await vi.waitFor(() => awaited(h!.app.activeRuns.list().length === 1, 'the run to start'), WAIT);
    expect(sample((await get(`${ops.server!.url}/metrics`)).body, 'giftbot_runs_in_progress')).toBe(1);
    await run;
    expect(sample((await get(`${ops.server!.url}/metrics`)).body, 'giftbot_runs_in_progress')).toBe(0);
  });
});

describe('/healthz', () => {
  it('flips to 503 with a reason when Redis stops, and back to 200 when it returns; each flip is logged once', async () => {
    redis = await startRedisServer();
    // The run lock on that Redis, as REDIS_URL wires it (built here so the test does not depend on the app's wiring).
    lockClient = createRedisClient({
      url: redis.url,
      log: silentLogger(),
      commandTimeoutMs: 500,
      maxReconnectDelayMs: 200,
    });
    const runLock = createRedisRunLock({ redis: lockClient, log: silentLogger(), instanceId: 'healthz-test' });
    h = await startCoreHarness({ env: { METRICS_PORT: '0', REDIS_URL: redis.url }, deps: { runLock } });
    let discordReady = true;
    ops = await opsFor(h.app, () => discordReady);
    const healthz = `${ops.server!.url}/healthz`;

    let healthy = await get(healthz);
    await vi.waitFor(
      async () => awaited((healthy = await get(healthz)).status === 200, 'the first connection to Redis'),
      WAIT,
    );
    expect(JSON.parse(healthy.body)).toEqual({
      status: 'ok',
      healthy: true,
      checks: { store: 'ok', redis: 'ok', discord: 'ok' },
      reasons: [],
    });

    const metric = async (name: string) => sample((await get(`${ops!.server!.url}/metrics`)).body, name);
    await vi.waitFor(
      async () => awaited((await metric('giftbot_redis_up')) === 1, 'giftbot_redis_up to say Redis answers'),
      WAIT,
    );
    expect(await metric('giftbot_deferred_runs_waiting')).toBe(0);

    await redis.kill();
    let down = await get(healthz);
    await vi.waitFor(
      async () => awaited((down = await get(healthz)).status === 503, '/healthz to notice Redis is gone'),
      WAIT,
    );
    expect(JSON.parse(down.body)).toMatchObject({
      status: 'unhealthy',
      checks: { store: 'ok', redis: 'failing', discord: 'ok' },
    });
    expect(JSON.parse(down.body).reasons).toEqual([expect.stringContaining('Redis does not answer')]);
    expect((await get(healthz)).status).toBe(503);
    await vi.waitFor(
      async () => awaited((await metric('giftbot_redis_up')) === 0, 'giftbot_redis_up to say Redis is gone'),
      WAIT,
    );
    // An automatic run cannot check the shared lock: it waits in the deferred table, and the gauge shows it.
    await seedAlliance(h, { guildId: GUILD, count: 2 });
    h.sim.addCode('wos', 'WAITS1');
    expect((await h.app.engine.processAutoRedeem(GUILD, giftCode('WAITS1'), { trigger: 'auto' })).status).toBe(
      'deferred',
    );
    expect(await metric('giftbot_deferred_runs_waiting')).toBe(1);

    await redis.restart();
    await vi.waitFor(async () => awaited((await get(healthz)).status === 200, '/healthz to see Redis back'), WAIT);
    await vi.waitFor(
      async () => awaited((await metric('giftbot_redis_up')) === 1, 'giftbot_redis_up to see Redis back'),
      WAIT,
    );

    // The Discord gateway is checked too.
    discordReady = false;
    const noGateway = await get(healthz);
    expect(noGateway.status).toBe(503);
    expect(JSON.parse(noGateway.body).reasons).toEqual(['the Discord gateway is not connected']);

    // One line per flip (not per request), from the first healthy answer on.
    const all = h.logs.events(EVENTS.healthChanged).filter((line) => line.component === 'healthz');
    const flips = all.slice(all.findIndex((line) => line.healthy === true));
    expect(flips.map((line) => line.healthy)).toEqual([true, false, true, false]);
    expect(flips[1]).toMatchObject({ level: 'warn', reasons: [expect.stringContaining('Redis')] });
  });

  it('without Redis configured there is no Redis check; unknown paths are 404', async () => {
    h = await startCoreHarness({ env: { METRICS_PORT: '0' } });
    ops = await opsFor(h.app);
    const healthy = await get(`${ops.server!.url}/healthz`);
    expect(JSON.parse(healthy.body).checks).toEqual({ store: 'ok' });
    expect((await get(`${ops.server!.url}/nope`)).status).toBe(404);
  });
});
