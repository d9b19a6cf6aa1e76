import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDiscovery, type Discovery } from '../../src/codes/createDiscovery.ts';
import { EVENTS } from '../../src/log/events.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { awaited } from '../support/awaited.ts';
import { feedSource, redeemCalls, seedGuild, WAIT } from './helpers.ts';

const ENV = {
  FEED_POLL_MIN_MS: '300',
  FEED_POLL_MAX_MS: '300',
  FEED_BACKOFF_MIN_MS: '100',
  FEED_BACKOFF_MAX_MS: '400',
  FEED_TIMEOUT_MS: '500',
  TEST_PLAYER_WOS: '49999999:245',
};

let h: CoreHarness | undefined;
let discovery: Discovery | undefined;
afterEach(async () => {
  await discovery?.stop();
  await h?.close();
  discovery = undefined;
  h = undefined;
});

const feedCalls = (name: string) => h!.sim.calls.filter((c) => c.path === `/feeds/${name}`);

describe('a feed that fails', () => {
  it('500s, timeouts, a wrong key and garbage: no code, no run, no crash, one warn line for the outage; it recovers when the feed heals', async () => {
    h = await startCoreHarness({ env: ENV });
    h.sim.addPlayer('wos', { fid: '49999999', kid: 245 });
    const fids = await seedGuild(h, { id: '910000000000000001', members: 3, firstFid: 51_000_001 });
    h.sim.addCode('wos', 'HEALED1');
    h.sim.setFeed('flaky', { format: 'community', codes: ['HEALED1'], status: 500 });
    discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'flaky', 'wos', { apiKey: 'right-key' })] });
    discovery.start();

    await vi.waitFor(() => awaited(feedCalls('flaky').length >= 3, 'three failed polls'), WAIT);
    h.sim.setFeed('flaky', { format: 'community', codes: ['HEALED1'], delayMs: 2_000, apiKey: 'right-key' });
    let before = feedCalls('flaky').length;
    await vi.waitFor(() => awaited(feedCalls('flaky').length >= before + 2, 'two timed-out polls'), WAIT);
    h.sim.setFeed('flaky', { format: 'community', codes: ['HEALED1'], apiKey: 'another-key' });
    before = feedCalls('flaky').length;
    await vi.waitFor(() => awaited(feedCalls('flaky').length >= before + 2, 'two refused polls'), WAIT);
    h.sim.setFeed('flaky', { format: 'community', codes: [], body: '<html><body>502 Bad Gateway</body></html>' });
    before = feedCalls('flaky').length;
    await vi.waitFor(() => awaited(feedCalls('flaky').length >= before + 2, 'two garbage polls'), WAIT);
    h.sim.setFeed('flaky', { format: 'community', codes: [], body: '{"codes":"HEALED1"}' });
    before = feedCalls('flaky').length;
    await vi.waitFor(() => awaited(feedCalls('flaky').length >= before + 2, 'two polls of the wrong shape'), WAIT);

    // The feed counts a request when it arrives, the poller a failure when the poll ends: let the last one end.
    await vi.waitFor(
      () => awaited(discovery!.poller.status()[0]!.failures >= feedCalls('flaky').length, 'the last poll to end'),
      WAIT,
    );

    // Nothing was taken from any of it.
    expect(await h.app.store.codes.list()).toEqual([]);
    expect(h.sim.calls.filter((c) => c.path.endsWith('/gift_code'))).toEqual([]);
    const status = discovery.poller.status()[0]!;
    expect(status).toMatchObject({ health: 'failing', lastError: expect.stringMatching(/codes/) });
    // Every poll failed and was counted: 3 + 2 + 2 + 2 + 2 at least.
    expect(status.failures).toBeGreaterThanOrEqual(11);
    const failedKinds = new Set(h.logs.events(EVENTS.feedPollFailed).map((l) => l.kind));
    expect([...failedKinds].sort()).toEqual(['http', 'malformed', 'timeout']);

    // Backoff (100 ms doubling to 400 ms, ±20 %): no failed poll is retried sooner than the first step.
    const gaps = feedCalls('flaky')
      .slice(1)
      .map((c, i) => c.at - feedCalls('flaky')[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(70);

    h.sim.setFeed('flaky', { format: 'community', codes: ['HEALED1'], apiKey: 'right-key' });
    await vi.waitFor(
      async () =>
        awaited(
          (await h!.app.store.codes.get('wos', 'HEALED1'))?.fanoutDoneAt != null,
          "the healed feed's code to be redeemed",
        ),
      WAIT,
    );
    expect(h.sim.successes('wos', 'HEALED1').sort()).toEqual(['49999999', ...fids].sort());
    expect(discovery.poller.status()[0]).toMatchObject({ health: 'ok', failures: 0, lastError: null });

    // The outage is one warn line (and the recovery one info line), not one per poll.
    const changes = h.logs.events(EVENTS.feedStateChanged).map((l) => [l.level, l.from, l.to]);
    expect(changes).toEqual([
      ['warn', 'unknown', 'failing'],
      ['info', 'failing', 'ok'],
    ]);
    expect(h.logs.raw.join('\n')).not.toContain('right-key');
  });

  it('uses ETags: an unchanged feed answers 304 and its codes are not offered again', async () => {
    h = await startCoreHarness({ env: ENV });
    h.sim.addPlayer('wos', { fid: '49999999', kid: 245 });
    await seedGuild(h, { id: '910000000000000001', members: 2, firstFid: 51_000_001 });
    h.sim.addCode('wos', 'ETAG0001');
    h.sim.setFeed('tagged', { format: 'list', codes: ['ETAG0001'] });
    discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'tagged', 'wos', { format: 'list' })] });
    discovery.start();
    await vi.waitFor(() => awaited(feedCalls('tagged').length >= 4, 'four polls'), WAIT);
    expect(
      feedCalls('tagged')
        .map((c) => c.httpStatus)
        .slice(0, 4),
    ).toEqual([200, 304, 304, 304]);
    await vi.waitFor(
      async () => awaited((await h!.app.store.codes.get('wos', 'ETAG0001'))?.fanoutDoneAt != null, 'the fan-out'),
      WAIT,
    );
    expect(h.logs.events(EVENTS.codeDiscovered)).toHaveLength(1);
    expect(h.logs.events(EVENTS.codeKnown)).toHaveLength(0);
    expect(redeemCalls(h, 'ETAG0001')).toHaveLength(3);
  });

  it('a malformed entry is skipped with one warn line, however often the feed is polled; the good entries still count', async () => {
    h = await startCoreHarness({ env: ENV });
    h.sim.addPlayer('wos', { fid: '49999999', kid: 245 });
    await seedGuild(h, { id: '910000000000000001', members: 2, firstFid: 51_000_001 });
    h.sim.addCode('wos', 'GOODONE1');
    h.sim.addCode('wos', 'GOODONE2');
    // The body changes between polls, so the same bad entry is read again and again.
    const body = (codes: string[]) =>
      JSON.stringify({ codes: ['GOOD!! 01.11.2026', ...codes.map((c) => `${c} 01.11.2026`)] });
    h.sim.setFeed('mixed', { format: 'community', codes: [], body: body(['GOODONE1']) });
    discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'mixed', 'wos')] });
    discovery.start();
    await vi.waitFor(
      async () =>
        awaited((await h!.app.store.codes.get('wos', 'GOODONE1'))?.fanoutDoneAt != null, 'the first good code'),
      WAIT,
    );
    h.sim.setFeed('mixed', { format: 'community', codes: [], body: body(['GOODONE1', 'GOODONE2']) });
    await vi.waitFor(
      async () =>
        awaited((await h!.app.store.codes.get('wos', 'GOODONE2'))?.fanoutDoneAt != null, 'the second good code'),
      WAIT,
    );
    const before = feedCalls('mixed').length;
    await vi.waitFor(() => awaited(feedCalls('mixed').length >= before + 2, 'more polls'), WAIT);
    const skipped = h.logs.events(EVENTS.feedEntrySkipped);
    expect(skipped).toEqual([
      expect.objectContaining({
        level: 'warn',
        feed: 'mixed',
        entry: 'GOOD!! 01.11.2026',
        reason: expect.stringMatching(/letters and digits/),
      }),
    ]);
    expect(discovery.poller.status()[0]!.health).toBe('ok');
  });

  it('stop() ends the timers and a poll hanging on a slow feed at once', async () => {
    h = await startCoreHarness({ env: { ...ENV, FEED_TIMEOUT_MS: '60000' } });
    h.sim.setFeed('slow', { format: 'list', codes: [], delayMs: 30_000 });
    discovery = createDiscovery(h.app, { feeds: [feedSource(h, 'slow', 'wos', { format: 'list' })] });
    discovery.start();
    await vi.waitFor(() => awaited(feedCalls('slow').length >= 1, 'the poll to start'), WAIT);
    const started = performance.now();
    await discovery.stop();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(discovery.poller.status()[0]!.nextPollAt).toBeNull();
    const polls = feedCalls('slow').length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(feedCalls('slow').length).toBe(polls);
  });
});
