import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startGameApiSimulator,
  type GameApiSimulator,
  type SimulatorOptions,
} from '../../../src/dev/simulator/gameApiSimulator.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgresStore.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqliteStore.ts';
import { createTestDatabase, type TestDatabase } from '../postgres.ts';
import type { LedgerRow, RunRecord, Store } from '../../../src/store/types.ts';
import { startRedisServer, type TestRedisServer } from '../redisServer.ts';
import { startTcpProxy, type TcpProxy } from '../tcpProxy.ts';
import { installLedgerAudit, sqliteBusyErrors } from './clusterAnalysis.ts';
import { WorkerProcess } from './workerProcess.ts';
import { addAlliance } from '../alliances.ts';

/**
 * Several giftbot OS processes on one host, as an operator would run them: one SQLite file, one Redis (a throw-away
 * redis-server on a free port), one game API (the simulator, in this process, whose call record is the ground truth).
 */
export interface Cluster {
  sim: GameApiSimulator;
  redis: TestRedisServer;
  dbPath: string;
  /** A store on the shared file, for seeding and reading results. */
  store: Store;
  workers: WorkerProcess[];
  /** The environment every worker gets (plus its INSTANCE_ID). */
  env: Record<string, string>;
  /** With `attributed`: the worker's source address at the game (127.0.0.x) and its own Redis proxy. */
  addressOf(worker: WorkerProcess): string | undefined;
  proxyOf(worker: WorkerProcess): TcpProxy | undefined;
  /** Starts another worker (extra env on top of the cluster's). */
  spawn(name: string, env?: Record<string, string>): Promise<WorkerProcess>;
  ledger(code: string, game?: 'wos' | 'kingshot'): Promise<LedgerRow[]>;
  runs(guildId: string): Promise<RunRecord[]>;
  /** SQLITE_BUSY errors seen in any worker's output. */
  sqliteBusy(): number;
  close(): Promise<void>;
}

export interface ClusterOptions {
  workers: number;
  sim?: SimulatorOptions;
  /** Worker configuration on top of the defaults below (short TTLs and windows for speed). */
  env?: Record<string, string>;
  /** Start the workers while Redis is down (it can be brought up with `redis.restart()`). */
  redisDownAtStart?: boolean;
  /** 'postgres': the workers share a fresh PostgreSQL database (DATABASE_URL) instead of the SQLite file. */
  store?: 'sqlite' | 'postgres';
  /**
   * Each worker calls the game from its own loopback address (127.0.0.11, .12, …; the simulator records it per call)
   * and reaches Redis through its own TCP proxy (to partition one process or lose one reply).
   */
  attributed?: boolean;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const sim = await startGameApiSimulator({
    rateLimit: { limit: 200, windowMs: 1_000 },
    playerSpacingMs: 0,
    ...options.sim,
  });
  const redis = await startRedisServer();
  if (options.redisDownAtStart) await redis.kill();
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-cluster-'));
  const dbPath = join(dir, 'giftbot.sqlite');
  let pg: TestDatabase | null = null;
  let store: Store;
  if (options.store === 'postgres') {
    pg = await createTestDatabase();
    store = await openPostgresStore(pg.settings).catch(async (error: unknown) => {
      await pg?.drop();
      throw error;
    });
  } else {
    store = openSqliteStore(dbPath);
    installLedgerAudit(dbPath);
  }
  const env: Record<string, string> = {
    DATABASE_PATH: dbPath,
    ...(pg ? { DATABASE_URL: pg.url, PG_POOL_MAX: '4' } : {}),
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    REDIS_URL: redis.url,
    RATE_LIMIT_PER_MINUTE: '200',
    RATE_LIMIT_WINDOW_MS: '1000',
    PLAYER_SPACING_MS: '0',
    API_READ_TIMEOUT_MS: '5000',
    API_CONNECT_TIMEOUT_MS: '2000',
    LOCK_TTL_MS: '1500',
    REDIS_COMMAND_TIMEOUT_MS: '400',
    REDIS_STARTUP_WAIT_MS: '1500',
    DEFERRED_RETRY_MS: '300',
    DEFERRED_RETRY_MAX_MS: '2000',
    EXPECTED_PROCESSES: String(Math.max(1, options.workers)),
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const workers: WorkerProcess[] = [];
  const addresses = new Map<WorkerProcess, string>();
  const proxies = new Map<WorkerProcess, TcpProxy>();
  let spawned = 0;
  const cluster: Cluster = {
    sim,
    redis,
    dbPath,
    store,
    workers,
    env,
    addressOf: (worker) => addresses.get(worker),
    proxyOf: (worker) => proxies.get(worker),
    async spawn(name, extra = {}) {
      // Taken before any await: workers start concurrently and each needs its own address.
      spawned += 1;
      const address = `127.0.0.${10 + spawned}`;
      let attribution: Record<string, string> = {};
      let proxy: TcpProxy | undefined;
      if (options.attributed) {
        proxy = await startTcpProxy(redis.port);
        attribution = { WORKER_LOCAL_ADDRESS: address, REDIS_URL: proxy.url };
      }
      try {
        const worker = await WorkerProcess.start(name, { ...env, ...attribution, ...extra });
        workers.push(worker);
        if (proxy) proxies.set(worker, proxy);
        if (attribution.WORKER_LOCAL_ADDRESS) addresses.set(worker, attribution.WORKER_LOCAL_ADDRESS);
        return worker;
      } catch (error) {
        await proxy?.close();
        throw error;
      }
    },
    ledger: (code, game = 'wos') => store.ledger.listForCode(game, code),
    runs: async (guildId) => (await store.runs.listRecent(guildId, 1_000)).reverse(),
    sqliteBusy: () => workers.reduce((sum, worker) => sum + sqliteBusyErrors(worker.logs, worker.rawErrors), 0),
    async close() {
      try {
        await Promise.allSettled(workers.map((worker) => worker.close()));
        await Promise.allSettled([...proxies.values()].map((proxy) => proxy.close()));
        await store.close();
        await sim.close();
        await redis.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await pg?.drop();
      }
    },
  };
  try {
    // Started together: on a 2-core machine each start takes a moment.
    await Promise.all(Array.from({ length: options.workers }, (_, i) => cluster.spawn(`w${i + 1}`)));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** An alliance of `count` members known to the simulator, written to the shared store. */
export async function seedCluster(
  cluster: Cluster,
  {
    guildId,
    count,
    firstFid,
    code,
    game = 'wos',
    state = 245,
  }: { guildId: string; count: number; firstFid: number; code: string; game?: 'wos' | 'kingshot'; state?: number },
): Promise<string[]> {
  const alliance = await addAlliance(cluster.store, { guildId, game, defaultState: state, autoRedeem: true });
  const fids = Array.from({ length: count }, (_, i) => String(firstFid + i));
  cluster.sim.addPlayers(
    game,
    fids.map((fid) => ({ fid, kid: state })),
  );
  await cluster.store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state, name: `player ${fid}` })),
  );
  cluster.sim.addCode(game, code);
  return fids;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
  stepMs = 50,
): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

const FINAL = ['success', 'already', 'failed'];

/** Resolves with the code's ledger once `count` members have a final row (all of `status` when given). */
export async function waitForFinal(
  cluster: Cluster,
  code: string,
  count: number,
  timeoutMs: number,
  status?: 'success',
): Promise<LedgerRow[]> {
  return await eventually(
    async () => {
      const rows = await cluster.ledger(code);
      const done = rows.filter((row) => (status ? row.status === status : FINAL.includes(row.status)));
      return rows.length === count && done.length === count ? rows : undefined;
    },
    timeoutMs,
    `${count} final results for ${code}`,
  );
}

/**
 * The runs of `code` in this alliance that called the game, once none of them is still running: a run's counts are
 * written when it finishes, a moment after its last member's row is final.
 */
export async function finishedRunsWithCalls(
  cluster: Cluster,
  guildId: string,
  code: string,
  timeoutMs = 10_000,
): Promise<RunRecord[]> {
  return await eventually(
    async () => {
      const runs = (await cluster.runs(guildId)).filter((run) => run.code === code);
      if (runs.some((run) => run.outcome === 'running')) return undefined;
      const working = runs.filter((run) => (run.counts?.apiCalls ?? 0) > 0);
      return working.length > 0 ? working : undefined;
    },
    timeoutMs,
    `the runs of ${code} in ${guildId} to be recorded finished`,
  );
}
