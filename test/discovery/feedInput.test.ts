import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFeedPoller, type FeedPoller } from '../../src/codes/sources/feedPoller.ts';
import type { FeedSource } from '../../src/codes/sources/feedSource.ts';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { EVENTS } from '../../src/log/events.ts';
import { captureLogs } from '../support/coreHarness.ts';
import { awaited } from '../support/awaited.ts';
import { WAIT } from './helpers.ts';

// Bad input from feeds (issue 12): the poller against the simulator's feeds, with an intake that records what it got.
let sim: GameApiSimulator | undefined;
let poller: FeedPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  await sim?.close();
  poller = undefined;
  sim = undefined;
});

function source(name: string, format: FeedSource['format'] = 'community'): FeedSource {
  return { name, url: sim!.feedUrl(name), game: 'wos', format, apiKey: null };
}

function start(feeds: FeedSource[], extra: { timeoutMs?: number; maxCodesPerPoll?: number } = {}) {
  const logs = captureLogs();
  const submitted: { code: string; source: string }[] = [];
  poller = createFeedPoller({
    feeds,
    intake: {
      async submit({ code, game, source: from }) {
        submitted.push({ code, source: from });
        return { kind: 'known', game, code, status: 'valid', inProgress: false };
      },
    },
    log: logs.log,
    pollMinMs: 200,
    pollMaxMs: 200,
    backoffMinMs: 100,
    backoffMaxMs: 200,
    timeoutMs: extra.timeoutMs ?? 1_000,
    ...(extra.maxCodesPerPoll !== undefined ? { maxCodesPerPoll: extra.maxCodesPerPoll } : {}),
  });
  poller.start();
  return { logs, submitted };
}

describe('feeds: bad input', () => {
  it('feeds that hang do not make healthy feeds on the same host time out', async () => {
    sim = await startGameApiSimulator({ rateLimit: false });
    const healthy = ['ok1', 'ok2'];
    const stuck = ['stuck1', 'stuck2', 'stuck3', 'stuck4'];
    for (const name of healthy) sim.setFeed(name, { format: 'community', codes: [`CODE${name.toUpperCase()}`] });
    for (const name of stuck) sim.setFeed(name, { format: 'community', codes: ['STUCK001'], delayMs: 600_000 });
    const { logs } = start(
      [...stuck, ...healthy].map((name) => source(name)),
      { timeoutMs: 800 },
    );
    // Several rounds: each hung feed has timed out at least three times meanwhile.
    await vi.waitFor(
      () =>
        awaited(
          poller!
            .status()
            .filter((s) => stuck.includes(s.name))
            .every((s) => s.failures >= 3),
          'three timeouts of each hung feed',
        ),
      { ...WAIT, timeout: 30_000 },
    );
    for (const status of poller!.status().filter((s) => healthy.includes(s.name))) {
      expect(status).toMatchObject({ health: 'ok', failures: 0 });
      expect(status.polls).toBeGreaterThanOrEqual(3);
    }
    // Not one poll of a healthy feed failed, the first (started beside the hung ones) included.
    expect(logs.events(EVENTS.feedPollFailed).filter((line) => healthy.includes(String(line.feed)))).toEqual([]);
  });

  it('a body nested 400,000 levels deep beside good codes: the good codes are taken, the deep entries skipped, no crash', async () => {
    sim = await startGameApiSimulator({ rateLimit: false });
    // Under the 1 MB cap: a list 400,000 levels deep, and an object 20,000 levels deep.
    const body = `{"codes":["GOOD0001 01.11.2026",${'['.repeat(400_000)}${']'.repeat(400_000)},"GOOD0002 01.11.2026",${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}]}`;
    expect(body.length).toBeLessThan(1024 * 1024);
    sim.setFeed('deep', { format: 'community', codes: [], body });
    const { logs, submitted } = start([source('deep')]);
    await vi.waitFor(
      () =>
        awaited(poller!.status()[0]!.polls >= 1 && poller!.status()[0]!.health !== 'unknown', 'the first poll to end'),
      WAIT,
    );
    expect(poller!.status()[0]).toMatchObject({ health: 'ok', failures: 0 });
    expect(submitted.map((s) => s.code)).toEqual(['GOOD0001', 'GOOD0002']);
    const skipped = logs.events(EVENTS.feedEntrySkipped);
    expect(skipped.map((line) => line.reason)).toEqual(['not a string', 'not a string']);
    expect(String(skipped[0]!.entry)).toMatch(/^\[\[\[\[…\]\]\]\]$/);
  });

  it('a feed listing 20,000 codes: 200 taken per poll with a warn line, the rest on later polls', async () => {
    sim = await startGameApiSimulator({ rateLimit: false });
    const codes = Array.from({ length: 20_000 }, (_, i) => `MANY${String(i).padStart(5, '0')}`);
    sim.setFeed('flood', { format: 'list', codes });
    const { logs, submitted } = start([source('flood', 'list')]);
    await vi.waitFor(
      () =>
        awaited(poller!.status()[0]!.polls >= 2 && logs.events(EVENTS.feedCodesCapped).length >= 2, 'two capped polls'),
      WAIT,
    );
    await poller!.stop();
    const capped = logs.events(EVENTS.feedCodesCapped);
    expect(capped[0]).toMatchObject({ level: 'warn', feed: 'flood', taken: 200, left: 19_800, maxPerPoll: 200 });
    expect(capped[1]).toMatchObject({ taken: 200, left: 19_600 });
    // Each poll took the next 200, never one twice.
    expect(submitted.length).toBe(200 * capped.length);
    expect(new Set(submitted.map((s) => s.code)).size).toBe(submitted.length);
    expect(submitted.slice(0, 400).map((s) => s.code)).toEqual(codes.slice(0, 400));
  });

  it('a feed of 100,000 junk entries: a bounded number of warn lines, then one that counts the rest', async () => {
    sim = await startGameApiSimulator({ rateLimit: false });
    sim.setFeed('junk', {
      format: 'list',
      codes: [],
      body: JSON.stringify(['GOOD0003', ...Array.from({ length: 100_000 }, (_, i) => i)]),
    });
    const { logs, submitted } = start([source('junk', 'list')]);
    await vi.waitFor(() => awaited(poller!.status()[0]!.health === 'ok', 'the first poll to end'), WAIT);
    expect(submitted.map((s) => s.code)).toEqual(['GOOD0003']);
    const skipped = logs.events(EVENTS.feedEntrySkipped);
    expect(skipped).toHaveLength(51);
    expect(skipped.at(-1)).toMatchObject({ level: 'warn', feed: 'junk', more: 100_000 - 50 });
  });
});
