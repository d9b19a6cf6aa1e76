import { afterEach, beforeEach } from 'vitest';
import type { NewAlliance, RunScope, Store } from '../../src/store/types.ts';

/** How a contract run gets its stores: `open` a fresh, empty one; `openAnother` a second handle on the SAME data. */
export interface StoreFactory {
  open(): Promise<Store>;
  /** Another process's view (a second SQLite connection, a second PostgreSQL pool). */
  openAnother(): Promise<Store>;
  cleanup(): Promise<void>;
}

export const SUCCESS = { status: 'success', errCode: 20000, msg: 'SUCCESS' } as const;

/** Adds an alliance that must be new; returns its id. */
export async function addAlliance(store: Store, alliance: NewAlliance): Promise<number> {
  const added = await store.alliances.add(alliance);
  if (!added.created) throw new Error(`alliance ${alliance.name} exists already`);
  return added.alliance.id;
}

export interface ContractContext {
  store: Store;
  /** The one alliance of g1 and of g2 (wos, state 1). */
  a1: number;
  a2: number;
  /** Another process's store on the same data, closed after the test. */
  another(): Promise<Store>;
  /** A fence and a run for (guild, wos, code). */
  scopeFor(s: Store, guildId: string, code?: string): Promise<RunScope>;
}

/** Each test of a contract starts on a fresh store with servers g1 and g2, one wos alliance each. */
export function useContractStore(makeFactory: () => Promise<StoreFactory>): ContractContext {
  let factory: StoreFactory | undefined;
  const others: Store[] = [];
  const ctx: ContractContext = {
    store: undefined as unknown as Store,
    a1: 0,
    a2: 0,
    async another() {
      const other = await factory!.openAnother();
      others.push(other);
      return other;
    },
    async scopeFor(s, guildId, code = 'CODE1') {
      const fence = await s.ledger.nextFence(guildId, 'wos', code);
      const run = await s.runs.start({
        guildId,
        game: 'wos',
        code,
        allianceIds: [],
        trigger: 'test',
        fence,
        owner: 'test',
      });
      return { guildId, game: 'wos', code, fence, runId: run.id };
    },
  };
  beforeEach(async () => {
    factory = await makeFactory();
    ctx.store = await factory.open();
    ctx.a1 = await addAlliance(ctx.store, { guildId: 'g1', name: 'One', game: 'wos', defaultState: 1 });
    ctx.a2 = await addAlliance(ctx.store, { guildId: 'g2', name: 'Two', game: 'wos', defaultState: 1 });
  });
  afterEach(async () => {
    try {
      for (const other of others.splice(0)) await other.close();
      await ctx.store?.close();
    } finally {
      // Always: the PostgreSQL database is dropped even when a test failed or a close threw.
      await factory?.cleanup();
    }
  });
  return ctx;
}
