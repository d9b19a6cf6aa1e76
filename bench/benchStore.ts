/**
 * Every call the bench makes to giftbot's store interface, in one place: opening it, seeding the alliances, and timing
 * the ledger's claim and record. (The store interface changes on other branches — guilds become alliances — and this
 * is the one file to adapt.)
 */
import type { Config } from '../src/config/config.ts';
import type { Game } from '../src/game/games.ts';
import type { Logger } from '../src/log/logger.ts';
import { openStore } from '../src/runtime.ts';
import type { LedgerRepo, Store } from '../src/store/types.ts';
import type { AllianceSeed } from './protocol.ts';

/** The configured store as the bot opens it: PostgreSQL when DATABASE_URL is set (migrated), else the SQLite file. */
export function openBenchStore(config: Config, log: Logger): Promise<Store> {
  return openStore(config, log);
}

/** One alliance per server (`bench`), auto-redeem on, with its members. */
export async function seedBenchAlliances(store: Store, game: Game, alliances: readonly AllianceSeed[]): Promise<void> {
  for (const alliance of alliances) {
    const added = await store.alliances.add({
      guildId: alliance.guildId,
      name: 'bench',
      game,
      defaultState: alliance.state,
      autoRedeem: true,
    });
    await store.members.addMany(
      added.created ? added.alliance.id : added.existing.id,
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

/**
 * The same store with its ledger's claim and record timed: a new object that delegates (the engine is built with it),
 * so nothing of the store itself is changed.
 */
export function timeLedger(store: Store): { store: Store; timings: LedgerTimings } {
  const timings: LedgerTimings = { claimRecordMs: [], claimMs: [], recordMs: [] };
  const ledger = store.ledger;
  const lastClaim = new Map<string, number>();
  const timedLedger: LedgerRepo = {
    ...ledger,
    async claim(scope, fid) {
      const started = performance.now();
      const result = await ledger.claim(scope, fid);
      const ms = performance.now() - started;
      timings.claimMs.push(ms);
      lastClaim.set(fid, ms);
      return result;
    },
    async record(scope, fid, outcome) {
      const started = performance.now();
      const result = await ledger.record(scope, fid, outcome);
      const ms = performance.now() - started;
      timings.recordMs.push(ms);
      const claimed = lastClaim.get(fid);
      if (claimed !== undefined) {
        timings.claimRecordMs.push(claimed + ms);
        lastClaim.delete(fid);
      }
      return result;
    },
  };
  return { store: { ...store, ledger: timedLedger }, timings };
}
