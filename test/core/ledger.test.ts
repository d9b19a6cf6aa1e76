import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { RunScope, Store } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'giftbot-ledger-'));
  store = openSqliteStore(join(dir, 'db.sqlite'));
  await addAlliance(store, { guildId: 'g1', game: 'wos', defaultState: 1 });
  await addAlliance(store, { guildId: 'g2', game: 'wos', defaultState: 1 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scopeFor(guildId: string, code = 'CODE1'): Promise<RunScope> {
  const fence = await store.ledger.nextFence(guildId, 'wos', code);
  const run = await store.runs.start({
    guildId,
    game: 'wos',
    code,
    allianceIds: [],
    trigger: 'test',
    fence,
    owner: 'test',
  });
  return { guildId, game: 'wos', code, fence, runId: run.id };
}

describe('the ledger and its fence', () => {
  it('a stale run (older fence) can neither claim nor record once a newer run took over', async () => {
    const stale = await scopeFor('g1');
    expect(await store.ledger.claim(stale, '1001')).toBe('claimed');
    const fresh = await scopeFor('g1');
    expect(fresh.fence).toBe(stale.fence + 1);
    expect(await store.ledger.record(stale, '1001', { status: 'success', errCode: 20000, msg: 'SUCCESS' })).toBe(
      'stale-fence',
    );
    expect(await store.ledger.claim(stale, '1002')).toBe('stale-fence');
    // The newer run re-claims the member the stale one left pending, and its write counts.
    expect(await store.ledger.claim(fresh, '1001')).toBe('claimed');
    expect(await store.ledger.record(fresh, '1001', { status: 'success', errCode: 20000, msg: 'SUCCESS' })).toBe(
      'recorded',
    );
    expect(await store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
      status: 'success',
      fence: fresh.fence,
      attempts: 2,
    });
  });

  it('a final status is never overwritten: SUCCESS stays SUCCESS after a later RECEIVED or a transient error', async () => {
    const scope = await scopeFor('g1');
    await store.ledger.claim(scope, '1001');
    await store.ledger.record(scope, '1001', { status: 'success', errCode: 20000, msg: 'SUCCESS' });
    expect(await store.ledger.record(scope, '1001', { status: 'already', errCode: 40008, msg: 'RECEIVED.' })).toBe(
      'already-final',
    );
    expect(await store.ledger.record(scope, '1001', { status: 'retry', reason: 'timeout' })).toBe('already-final');
    expect(await store.ledger.claim(scope, '1001')).toBe('final');
    expect(await store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
      status: 'success',
      errCode: 20000,
      msg: 'SUCCESS',
    });
  });

  it('a player on two alliances is called once: a live claim of another guild holds the row', async () => {
    const a = await scopeFor('g1');
    const b = await scopeFor('g2');
    expect(await store.ledger.claim(a, '1001')).toBe('claimed');
    expect(await store.ledger.claim(b, '1001')).toBe('claimed-elsewhere');
    await store.ledger.record(a, '1001', { status: 'success', errCode: 20000, msg: 'SUCCESS' });
    expect(await store.ledger.claim(b, '1001')).toBe('final');
  });

  it('a claim whose call was never sent is withdrawn: no attempt counted, the player free for other alliances', async () => {
    const a = await scopeFor('g1');
    const b = await scopeFor('g2');
    // A first claim that created the row: the row goes away.
    await store.ledger.claim(a, '1001');
    await store.ledger.unclaim(a, '1001');
    expect(await store.ledger.get('wos', '1001', 'CODE1')).toBeNull();
    expect(await store.ledger.claim(b, '1001')).toBe('claimed');
    // A retry's claim: the row is open again with the attempts really made.
    await store.ledger.record(b, '1001', { status: 'retry', reason: 'timeout' });
    await store.ledger.claim(b, '1001');
    await store.ledger.unclaim(b, '1001');
    expect(await store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
      status: 'retry',
      reason: 'timeout',
      attempts: 1,
      claimedAt: null,
    });
    // Someone else's claim, or one a newer run took over, is left alone.
    await store.ledger.claim(b, '1001');
    await store.ledger.unclaim(a, '1001');
    const newer = await scopeFor('g2');
    await store.ledger.unclaim(b, '1001');
    expect(await store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
      status: 'pending',
      attempts: 2,
      fence: b.fence,
    });
    expect(await store.ledger.claim(newer, '1001')).toBe('claimed');
  });

  it('fences are per (guild, code) and survive a reopen of the file', async () => {
    await scopeFor('g1', 'A');
    await scopeFor('g1', 'A');
    await scopeFor('g1', 'B');
    await store.close();
    store = openSqliteStore(join(dir, 'db.sqlite'));
    expect(await store.ledger.currentFence('g1', 'wos', 'A')).toBe(2);
    expect(await store.ledger.currentFence('g1', 'wos', 'B')).toBe(1);
    expect(await store.ledger.nextFence('g1', 'wos', 'A')).toBe(3);
  });

  it('wrong-state rows reopen once the state is fixed', async () => {
    const scope = await scopeFor('g1');
    await store.ledger.claim(scope, '1001');
    await store.ledger.record(scope, '1001', {
      status: 'failed',
      reason: 'wrong-state',
      errCode: 40020,
      msg: 'USER INFO ERROR.',
    });
    expect(await store.ledger.finalFids('wos', 'CODE1', ['1001'])).toEqual(new Set(['1001']));
    expect(await store.ledger.reopenWrongState('wos', '1001')).toBe(1);
    expect(await store.ledger.finalFids('wos', 'CODE1', ['1001'])).toEqual(new Set());
  });
});
