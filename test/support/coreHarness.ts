import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Core } from '../../src/core.ts';
import { createCore, type CoreDeps } from '../../src/runtime.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createPool, migrate } from '../../src/store/postgres/database.ts';
import { createPostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import {
  startGameApiSimulator,
  type GameApiSimulator,
  type SimulatorOptions,
} from '../../src/dev/simulator/gameApiSimulator.ts';
import { addAlliance } from './alliances.ts';

export interface LogLine {
  level: string;
  event?: string;
  msg?: string;
  [key: string]: unknown;
}

/** Collects pino's JSON lines in memory so tests can assert on events an operator would see. */
export function captureLogs(level = 'debug') {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  const log = createLogger({ level, destination });
  return { log, lines, raw, events: (event: string) => lines.filter((line) => line.event === event) };
}

export interface CoreHarness {
  sim: GameApiSimulator;
  app: Core;
  dir: string;
  dbPath: string;
  env: Record<string, string>;
  logs: ReturnType<typeof captureLogs>;
  /** A fresh app on the same database (a restart). The previous one must be closed first. */
  restart(): Core;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  /** giftbot configuration (env keys); the API bases and a temp database are filled in. */
  env?: Record<string, string>;
  deps?: Partial<Omit<CoreDeps, 'config' | 'log'>>;
  /** Which store: the temp SQLite file (default), or a fresh PostgreSQL database (DATABASE_URL), dropped on close. */
  store?: StoreKind;
}

export type StoreKind = 'sqlite' | 'postgres';
/** Both stores, for tests that must hold on each: `describe.each(STORE_KINDS)`. */
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

/**
 * giftbot settings for a test: the simulator's API bases, a temp database, a budget of 50 calls per second (tests
 * lower or raise it), no player spacing, short timeouts and JSON logs at debug.
 */
export function testEnv(sim: GameApiSimulator, dbPath: string): Record<string, string> {
  return {
    DATABASE_PATH: dbPath,
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    RATE_LIMIT_PER_MINUTE: '50',
    RATE_LIMIT_WINDOW_MS: '1000',
    PLAYER_SPACING_MS: '0',
    API_READ_TIMEOUT_MS: '2000',
    API_CONNECT_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'debug',
    LOG_FORMAT: 'json',
  };
}

/** The simulator, a temp SQLite file and a wired app: the real parts, on 127.0.0.1. */
export async function startCoreHarness(options: HarnessOptions = {}): Promise<CoreHarness> {
  const sim = await startGameApiSimulator({
    rateLimit: { limit: 50, windowMs: 1_000 },
    playerSpacingMs: 0,
    ...options.sim,
  });
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-test-'));
  const dbPath = join(dir, 'giftbot.sqlite');
  let pg: TestDatabase | null = null;
  if (options.store === 'postgres') {
    pg = await createTestDatabase();
    const pool = createPool(pg.settings);
    try {
      await migrate(pool);
    } catch (error) {
      await pg.drop();
      throw error;
    } finally {
      await pool.end();
    }
  }
  const env: Record<string, string> = {
    ...testEnv(sim, dbPath),
    ...(pg ? { DATABASE_URL: pg.url, PG_POOL_MAX: '5' } : {}),
    ...options.env,
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(`test config: ${loaded.problems.join('; ')}`);
  const logs = captureLogs();
  // The database is migrated above, so a PostgreSQL store opens synchronously here (a restart stays synchronous).
  const storeFor = () =>
    loaded.config.postgres ? { store: createPostgresStore(createPool(loaded.config.postgres)) } : {};
  const make = () => createCore({ config: loaded.config, log: logs.log, ...storeFor(), ...options.deps });
  const harness: CoreHarness = {
    sim,
    app: make(),
    dir,
    dbPath,
    env,
    logs,
    restart() {
      harness.app = make();
      return harness.app;
    },
    async close() {
      try {
        await harness.app.close();
        await sim.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await pg?.drop();
      }
    },
  };
  return harness;
}

/** An alliance of `count` members (fids from `firstFid`), all known to the simulator in the given state. */
export async function seedAlliance(
  h: CoreHarness,
  {
    guildId = '900000000000000001',
    game = 'wos' as const,
    state = 245,
    count,
    firstFid = 50_000_001,
  }: { guildId?: string; game?: 'wos' | 'kingshot'; state?: number; count: number; firstFid?: number },
): Promise<string[]> {
  const alliance = await addAlliance(h.app.store, { guildId, game, defaultState: state, autoRedeem: true });
  const fids = Array.from({ length: count }, (_, i) => String(firstFid + i));
  h.sim.addPlayers(
    game,
    fids.map((fid) => ({ fid, kid: state })),
  );
  await h.app.store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state, name: `player ${fid}` })),
  );
  return fids;
}

/** How many redemption calls the simulator received per fid for a code. */
export function callsPerFid(sim: GameApiSimulator, code: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of sim.calls) {
    if (call.cdk !== code || !call.fid) continue;
    counts.set(call.fid, (counts.get(call.fid) ?? 0) + 1);
  }
  return counts;
}
