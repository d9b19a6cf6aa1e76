/**
 * Every call the bench makes to giftbot's store interface, in one place: opening it, seeding the alliances, and timing
 * the ledger's claim and record. (The store interface changes on other branches — guilds become alliances — and this
 * is the one file to adapt.)
 */
import type { Config } from '../src/config/config.ts';
import type { Game } from '../src/game/games.ts';
import type { Logger } from '../src/log/logger.ts';
import { openStore } from '../src/runtime.ts';
import type { Store } from '../src/store/types.ts';
import type { AllianceSeed } from './protocol.ts';

/** The configured store as the bot opens it: PostgreSQL when DATABASE_URL is set (migrated), else the SQLite file. */
export function openBenchStore(config: Config, log: Logger): Promise<Store> {
  return openStore(config, log);
}

/** One alliance per server today: the server (guild) with auto-redeem on, and its members. */
export async function seedBenchAlliances(store: Store, game: Game, alliances: readonly AllianceSeed[]): Promise<void> {
  for (const alliance of alliances) {
    await store.guilds.upsert({ id: alliance.guildId, game, defaultState: alliance.state, autoRedeem: true });
    await store.members.addMany(
      alliance.guildId,
      alliance.fids.map((fid) => ({ fid, state: alliance.state, name: `bench ${fid}` })),
    );
  }
}

export interface LedgerTimings {
  /** Per member whose claim was followed by a record: the two calls' durations added, in ms. */
  claimRecordMs: number[];
  claimMs: number[];
  recordMs: number[];
}

/** Wraps the store's ledger claim and record (in place, so the engine uses the wrapped ones) and times every call. */
export function timeLedger(store: Store): LedgerTimings {
  const timings: LedgerTimings = { claimRecordMs: [], claimMs: [], recordMs: [] };
  const ledger = store.ledger;
  const claim = ledger.claim.bind(ledger);
  const record = ledger.record.bind(ledger);
  const lastClaim = new Map<string, number>();
  Object.assign(ledger, {
    async claim(...args: Parameters<typeof claim>) {
      const started = performance.now();
      const result = await claim(...args);
      const ms = performance.now() - started;
      timings.claimMs.push(ms);
      lastClaim.set(args[1], ms);
      return result;
    },
    async record(...args: Parameters<typeof record>) {
      const started = performance.now();
      const result = await record(...args);
      const ms = performance.now() - started;
      timings.recordMs.push(ms);
      const claimed = lastClaim.get(args[1]);
      if (claimed !== undefined) {
        timings.claimRecordMs.push(claimed + ms);
        lastClaim.delete(args[1]);
      }
      return result;
    },
  });
  return timings;
}
