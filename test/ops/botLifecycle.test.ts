import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { gameInfo } from '../../src/game/games.ts';
import { EVENTS } from '../../src/log/events.ts';
import type { LogReport } from '../../src/ops/logCheck/logAnalyser.ts';
import { startGameApiSimulator, type GameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { freePort, startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { awaited } from '../support/awaited.ts';
import { get, jsonLines, logsCheck, MAIN, spawnLogged, WAIT, type Finished } from './helpers.ts';
import { addAlliance } from '../support/alliances.ts';

const GUILD = '940000000000000001';
const CODE = 'STOPGO24';
const TEST_FID = '48999999';
const REDIS_PASSWORD = 'redis-pass-for-the-test-77';
const FEED_KEY = 'feed-api-key-for-the-test-88';

let fake: FakeDiscord | undefined;
let sim: GameApiSimulator | undefined;
let redis: TestRedisServer | undefined;
let dir: string | undefined;
const children: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null }[] = [];
afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.length = 0;
  await fake?.close();
  await sim?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = sim = redis = dir = undefined;
});

describe('the bot process: health, metrics and a graceful stop in the middle of a run', () => {
  it('SIGTERM during a run exits 0 in time, leaves no lock, records what was done; the next start finishes with zero repeated calls', async () => {
    redis = await startRedisServer();
    const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    await admin.config('SET', 'requirepass', REDIS_PASSWORD);
    await admin.quit();
    const redisUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}/0`;

    fake = await startFakeDiscord();
    fake.addGuild({ id: GUILD, name: 'Alliance' });
    fake.addChannel(GUILD, { id: '940000000000000010' });
    // Slow answers: the run takes seconds, time enough to stop it in the middle.
    sim = await startGameApiSimulator({ rateLimit: null, playerSpacingMs: 0, latencyMs: { min: 80, max: 120 } });
    dir = mkdtempSync(join(tmpdir(), 'giftbot-lifecycle-'));
    const dbPath = join(dir, 'giftbot.sqlite');
    const fids = Array.from({ length: 80 }, (_, i) => String(61_000_001 + i));
    sim.addPlayers(
      'wos',
      [...fids, TEST_FID].map((fid) => ({ fid, kid: 245 })),
    );
    sim.addCode('wos', CODE);
    sim.setFeed('codes', { format: 'list', codes: [CODE], apiKey: FEED_KEY });
    const store = openSqliteStore(dbPath);
    const alliance = await addAlliance(store, { guildId: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    await store.members.addMany(
      alliance.id,
      fids.map((fid) => ({ fid, state: 245 })),
    );
    await store.close();

    const metricsPort = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      DATABASE_PATH: dbPath,
      WOS_API_BASE: sim.apiBase('wos'),
      KINGSHOT_API_BASE: sim.apiBase('kingshot'),
      WOS_SIGN_SALT: gameInfo('wos').salt,
      REDIS_URL: redisUrl,
      CODE_FEEDS: JSON.stringify([
        { name: 'codes', url: sim.feedUrl('codes'), game: 'wos', format: 'list', apiKey: FEED_KEY },
      ]),
      FEED_POLL_MIN_MS: '60000',
      FEED_POLL_MAX_MS: '60000',
      TEST_PLAYER_WOS: `${TEST_FID}:245`,
      RATE_LIMIT_PER_MINUTE: '200',
      RATE_LIMIT_WINDOW_MS: '1000',
      PLAYER_SPACING_MS: '0',
      REDEEM_CONCURRENCY: '2',
      API_READ_TIMEOUT_MS: '3000',
      METRICS_PORT: String(metricsPort),
      SHUTDOWN_TIMEOUT_MS: '15000',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      NODE_ENV: 'production',
    };
    const secrets = [fake.token, REDIS_PASSWORD, FEED_KEY, gameInfo('wos').salt];
    const logFile = join(dir, 'giftbot.log');
    const start = () => {
      const started = spawnLogged([MAIN], env, logFile, { logTo: 'stdout', cwd: dir! });
      children.push(started.child);
      return started;
    };
    const calls = () => sim!.calls.filter((c) => c.cdk === CODE && c.path.endsWith('/gift_code'));
    const base = `http://127.0.0.1:${metricsPort}`;

    // 1. The bot finds the code on the feed and runs it; /healthz is green, /metrics shows the run in progress.
    const first = start();
    await vi.waitFor(
      () =>
        awaited(
          jsonLines(logFile).some((l) => l.event === EVENTS.opsServerListening),
          '/healthz to be served',
        ),
      { ...WAIT, timeout: 60_000 },
    );
    await vi.waitFor(() => awaited(calls().length >= 15, 'the run to be well under way'), { ...WAIT, timeout: 60_000 });
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const running = (await get(`${base}/metrics`)).body;
    expect(running).toMatch(/^giftbot_runs_in_progress 1$/m);
    // The real bot wires its own gauges: the gateway is connected, nothing is deferred, which build runs.
    expect(running).toMatch(/^giftbot_discord_connected 1$/m);
    expect(running).toMatch(/^giftbot_deferred_runs_waiting 0$/m);
    expect(running).toMatch(/^giftbot_build_info\{version="\d+\.\d+\.\d+",node="24\.[\d.]+"\} 1$/m);

    // 2. SIGTERM in the middle: exit 0 (a shutdown past its deadline exits 1), the in-flight calls are recorded.
    first.child.kill('SIGTERM');
    const stopped: Finished = await first.done;
    expect(stopped.code).toBe(0);
    // Every member call the game received is recorded (the test player's check of the code is not a member's).
    const afterStop = calls().filter((c) => c.fid !== TEST_FID).length;
    expect(sim.successes('wos', CODE).length).toBeLessThan(fids.length + 1);

    // No lock left in Redis, the run is recorded as interrupted, no member is left claimed but unrecorded.
    const check = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await check.connect();
    expect(await check.keys('*lock*')).toEqual([]);
    await check.quit();
    const between = openSqliteStore(dbPath);
    const rows = await between.ledger.listForCode('wos', CODE);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    const recordedCalls = rows.reduce((sum, r) => sum + r.attempts, 0);
    expect(recordedCalls).toBe(afterStop);
    const [run] = await between.runs.listRecent(GUILD, 1);
    expect(run).toMatchObject({ outcome: 'interrupted', code: CODE });
    await between.close();
    const firstLines = jsonLines(logFile);
    expect(firstLines.map((l) => l.event)).toEqual(expect.arrayContaining([EVENTS.appStopping, EVENTS.appStopped]));
    expect(firstLines.find((l) => l.event === EVENTS.runFinished)).toMatchObject({ status: 'aborted', code: CODE });

    // 3. The next start resumes the run and finishes it: every member called exactly once over both processes.
    const second = start();
    await vi.waitFor(
      () => awaited(sim!.successes('wos', CODE).length === fids.length + 1, 'the resumed run to finish'),
      { ...WAIT, timeout: 60_000 },
    );
    await vi.waitFor(
      () =>
        awaited(
          jsonLines(logFile).some((l) => l.event === EVENTS.runFinished && l.status === 'completed'),
          'run_finished',
        ),
      WAIT,
    );
    const perFid = new Map<string, number>();
    for (const call of calls()) perFid.set(call.fid!, (perFid.get(call.fid!) ?? 0) + 1);
    expect(perFid.size).toBe(fids.length + 1);
    expect([...perFid.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const resumedMetrics = (await get(`${base}/metrics`)).body;
    expect(resumedMetrics).toMatch(/^giftbot_redemptions_total\{game="wos",outcome="success"\} \d+$/m);
    expect(resumedMetrics).toMatch(/^giftbot_feed_polls_total\{feed="codes",outcome="ok"\} 1$/m);
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);

    // 4. The whole log: a graceful stop is not a problem; no secret anywhere.
    const checked = await logsCheck([logFile, '--json']);
    expect(JSON.parse(checked.stdout).problems as LogReport['problems']).toEqual([]);
    expect(checked.code).toBe(0);
    const text = readFileSync(logFile, 'utf8');
    for (const secret of secrets) expect(text.includes(secret), 'a configured secret appears in the log').toBe(false);
    expect(text.split('\n').filter((line) => line.trim()).length).toBeGreaterThan(50);
  });
});
