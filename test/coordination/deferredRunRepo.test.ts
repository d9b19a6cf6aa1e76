import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { Store } from '../../src/store/types.ts';

let dir: string;
let store: Store;
let other: Store;
const key = { guildId: '960000000000000001', game: 'wos' as const, code: 'LATER1' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'giftbot-deferred-'));
  store = openSqliteStore(join(dir, 'db.sqlite'));
  // A second process's view of the same file.
  other = openSqliteStore(join(dir, 'db.sqlite'));
});
afterEach(async () => {
  await store.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deferred runs in the store', () => {
  it('merges triggers for one code: members are united, "everyone" wins, the earlier attempt is kept', async () => {
    const now = Date.now();
    await store.deferredRuns.defer({
      ...key,
      trigger: 'catch-up',
      fids: ['1001', '1002'],
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now + 5_000,
    });
    const merged = await other.deferredRuns.defer({
      ...key,
      trigger: 'catch-up',
      fids: ['1002', '1003'],
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now + 1_000,
    });
    expect(merged.fids?.sort()).toEqual(['1001', '1002', '1003']);
    expect(merged.nextAttemptAt).toBe(now + 1_000);
    expect(merged.trigger).toBe('catch-up');
    const everyone = await store.deferredRuns.defer({
      ...key,
      trigger: 'auto',
      fids: null,
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now + 9_000,
    });
    expect(everyone.fids).toBeNull();
    expect(everyone.nextAttemptAt).toBe(now + 1_000);
    expect(await store.deferredRuns.list()).toHaveLength(1);
  });

  it('merges the alliances asked for: ids are united, "every alliance" (null) wins', async () => {
    const now = Date.now();
    const ask = (allianceIds: number[] | null) =>
      store.deferredRuns.defer({
        ...key,
        trigger: 'manual',
        fids: null,
        allianceIds,
        reason: 'lock unavailable',
        nextAttemptAt: now,
      });
    expect((await ask([1])).allianceIds).toEqual([1]);
    expect((await ask([2, 1])).allianceIds?.sort()).toEqual([1, 2]);
    expect((await other.deferredRuns.list())[0]?.allianceIds?.sort()).toEqual([1, 2]);
    expect((await ask(null)).allianceIds).toBeNull();
    expect((await ask([3])).allianceIds).toBeNull();
  });

  it('a due row is claimed by one process only, and a retry does not remove a trigger merged in meanwhile', async () => {
    const now = Date.now();
    await store.deferredRuns.defer({
      ...key,
      trigger: 'auto',
      fids: null,
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now - 1,
    });
    const [mine, theirs] = await Promise.all([
      store.deferredRuns.claimDue(now, 60_000, 10),
      other.deferredRuns.claimDue(now, 60_000, 10),
    ]);
    expect(mine!.length + theirs!.length).toBe(1);
    const claimed = [...mine!, ...theirs!][0]!;

    // While the retry runs, another trigger arrives: the row must survive the retry's removal.
    await other.deferredRuns.defer({
      ...key,
      trigger: 'manual',
      fids: null,
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now + 10,
    });
    expect(await store.deferredRuns.remove(key, claimed.version)).toBe(false);
    const [again] = await store.deferredRuns.claimDue(now + 20, 60_000, 10);
    expect(again).toBeDefined();
    expect(await store.deferredRuns.remove(key, again!.version)).toBe(true);
    expect(await other.deferredRuns.list()).toHaveLength(0);
  });

  it('a failed attempt is counted and pushed back', async () => {
    const now = Date.now();
    await store.deferredRuns.defer({
      ...key,
      trigger: 'auto',
      fids: null,
      allianceIds: null,
      reason: 'lock unavailable',
      nextAttemptAt: now - 1,
    });
    await store.deferredRuns.reschedule(key, now + 4_000, 'deferred: still unreachable');
    const [row] = await store.deferredRuns.list();
    expect(row).toMatchObject({ attempts: 1, nextAttemptAt: now + 4_000, reason: 'deferred: still unreachable' });
    expect(await store.deferredRuns.claimDue(now, 60_000, 10)).toHaveLength(0);
  });
});
