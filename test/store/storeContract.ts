import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunScope, Store } from '../../src/store/types.ts';

/** How a contract run gets its stores: `open` a fresh, empty one; `openAnother` a second handle on the SAME data. */
export interface StoreFactory {
  open(): Promise<Store>;
  /** Another process's view (a second SQLite connection, a second PostgreSQL pool). */
  openAnother(): Promise<Store>;
  cleanup(): Promise<void>;
}

const SUCCESS = { status: 'success', errCode: 20000, msg: 'SUCCESS' } as const;

/** The behaviour every Store must have, run against SQLite and PostgreSQL alike. */
export function storeContract(kind: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`store contract: ${kind}`, () => {
    let factory: StoreFactory;
    let store: Store;
    const others: Store[] = [];
    const another = async () => {
      const other = await factory.openAnother();
      others.push(other);
      return other;
    };
    beforeEach(async () => {
      factory = await makeFactory();
      store = await factory.open();
      await store.guilds.upsert({ id: 'g1', game: 'wos', defaultState: 1 });
      await store.guilds.upsert({ id: 'g2', game: 'wos', defaultState: 1 });
    });
    afterEach(async () => {
      try {
        for (const other of others.splice(0)) await other.close();
        await store?.close();
      } finally {
        // Always: the PostgreSQL database is dropped even when a test failed or a close threw.
        await factory?.cleanup();
      }
    });

    async function scopeFor(s: Store, guildId: string, code = 'CODE1'): Promise<RunScope> {
      const fence = await s.ledger.nextFence(guildId, 'wos', code);
      const run = await s.runs.start({ guildId, game: 'wos', code, trigger: 'test', fence, owner: 'test' });
      return { guildId, game: 'wos', code, fence, runId: run.id };
    }

    it('guilds: upsert keeps what is not given, update, get, list filtered and in fan-out order', async () => {
      const created = await store.guilds.upsert({
        id: 'g3',
        game: 'kingshot',
        defaultState: 77,
        autoRedeem: false,
        resultChannelId: 'c1',
        fanoutPriority: 5,
      });
      expect(created).toMatchObject({
        id: 'g3',
        game: 'kingshot',
        defaultState: 77,
        autoRedeem: false,
        resultChannelId: 'c1',
        codesChannelId: null,
        fanoutPriority: 5,
      });
      expect(await store.guilds.upsert({ id: 'g3', game: 'kingshot', name: 'Alliance' })).toMatchObject({
        defaultState: 77,
        autoRedeem: false,
        name: 'Alliance',
      });
      expect(await store.guilds.update('g3', { autoRedeem: true, adminRoleId: 'r1' })).toMatchObject({
        autoRedeem: true,
        adminRoleId: 'r1',
      });
      expect(await store.guilds.update('nope', { autoRedeem: true })).toBeNull();
      expect(await store.guilds.get('nope')).toBeNull();
      expect((await store.guilds.list()).map((g) => g.id)).toEqual(['g3', 'g1', 'g2']);
      expect((await store.guilds.list({ game: 'wos' })).map((g) => g.id)).toEqual(['g1', 'g2']);
      await store.guilds.update('g1', { autoRedeem: false });
      expect((await store.guilds.list({ autoRedeem: true })).map((g) => g.id)).toEqual(['g3', 'g2']);
    });

    it('members: add, re-add after removal, addMany all-or-counted, state rules, flagWrongState across rosters', async () => {
      expect((await store.members.add('g1', { fid: '1', name: 'One' })).created).toBe(true);
      expect(await store.members.get('g1', '1')).toMatchObject({ state: null, stateStatus: 'unknown', name: 'One' });
      const again = await store.members.add('g1', { fid: '1', state: 245 });
      expect(again).toMatchObject({ created: false, member: { state: 245, stateStatus: 'ok', name: 'One' } });
      expect(await store.members.addMany('g1', [{ fid: '2', state: 245 }, { fid: '1' }, { fid: '3' }])).toEqual({
        created: 2,
        updated: 1,
      });
      expect(await store.members.remove('g1', '2')).toBe(true);
      expect(await store.members.remove('g1', '2')).toBe(false);
      expect(await store.members.get('g1', '2')).toBeNull();
      expect((await store.members.list('g1')).map((m) => m.fid)).toEqual(['1', '3']);
      expect((await store.members.add('g1', { fid: '2' })).created).toBe(true);
      await store.members.setState('g1', '3', 250, 'ok');
      expect(await store.members.get('g1', '3')).toMatchObject({ state: 250, stateStatus: 'ok' });
      await store.members.add('g2', { fid: '1', state: 245 });
      await store.members.flagWrongState('wos', '1');
      expect((await store.members.get('g1', '1'))?.stateStatus).toBe('wrong');
      expect((await store.members.get('g2', '1'))?.stateStatus).toBe('wrong');
    });

    it('codes: add once, status with raw answer, recheck once, fan-out marks, list by game and status', async () => {
      expect((await store.codes.add('wos', 'A1', 'manual')).created).toBe(true);
      expect(await store.codes.add('wos', 'A1', 'feed')).toMatchObject({
        created: false,
        code: { source: 'manual', status: 'new' },
      });
      await store.codes.add('kingshot', 'K1', 'feed');
      await store.codes.setStatus('wos', 'A1', 'invalid', { errCode: 40014, msg: 'CDK NOT FOUND.' });
      expect(await store.codes.get('wos', 'A1')).toMatchObject({
        status: 'invalid',
        validationErrCode: 40014,
        validationMsg: 'CDK NOT FOUND.',
      });
      expect(await store.codes.reopenForRecheck('wos', 'A1')).toBe(true);
      await store.codes.setStatus('wos', 'A1', 'expired');
      expect(await store.codes.reopenForRecheck('wos', 'A1')).toBe(false);
      await store.codes.markFanoutStarted('kingshot', 'K1');
      await store.codes.markFanoutDone('kingshot', 'K1');
      const k1 = await store.codes.get('kingshot', 'K1');
      expect(k1?.fanoutStartedAt).toBeGreaterThan(0);
      expect(k1?.fanoutDoneAt).toBeGreaterThan(0);
      expect((await store.codes.list({ game: 'wos' })).map((c) => c.code)).toEqual(['A1']);
      expect((await store.codes.list({ statuses: ['new'] })).map((c) => c.code)).toEqual(['K1']);
      expect(await store.codes.get('wos', 'NOPE')).toBeNull();
    });

    it('ledger: a stale fence is refused, a final row never downgraded, the other guild waits, unclaim withdraws', async () => {
      const stale = await scopeFor(store, 'g1');
      expect(await store.ledger.claim(stale, '1001')).toBe('claimed');
      const fresh = await scopeFor(store, 'g1');
      expect(fresh.fence).toBe(stale.fence + 1);
      expect(await store.ledger.currentFence('g1', 'wos', 'CODE1')).toBe(fresh.fence);
      expect(await store.ledger.record(stale, '1001', SUCCESS)).toBe('stale-fence');
      expect(await store.ledger.claim(stale, '1002')).toBe('stale-fence');
      expect(await store.ledger.claim(fresh, '1001')).toBe('claimed');
      expect(await store.ledger.record(fresh, '1001', SUCCESS)).toBe('recorded');
      expect(await store.ledger.record(fresh, '1001', { status: 'already', errCode: 40008, msg: 'RECEIVED.' })).toBe(
        'already-final',
      );
      expect(await store.ledger.record(fresh, '1001', { status: 'retry', reason: 'timeout' })).toBe('already-final');
      expect(await store.ledger.claim(fresh, '1001')).toBe('final');
      expect(await store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
        status: 'success',
        errCode: 20000,
        msg: 'SUCCESS',
        attempts: 2,
        fence: fresh.fence,
        guildId: 'g1',
      });

      const other = await scopeFor(store, 'g2');
      expect(await store.ledger.claim(fresh, '1003')).toBe('claimed');
      expect(await store.ledger.claim(other, '1003')).toBe('claimed-elsewhere');
      await store.ledger.unclaim(fresh, '1003');
      expect(await store.ledger.get('wos', '1003', 'CODE1')).toBeNull();
      expect(await store.ledger.claim(other, '1003')).toBe('claimed');
      await store.ledger.record(other, '1003', { status: 'retry', reason: 'timeout' });
      expect(await store.ledger.claim(other, '1003')).toBe('claimed');
      await store.ledger.unclaim(other, '1003');
      expect(await store.ledger.get('wos', '1003', 'CODE1')).toMatchObject({
        status: 'retry',
        attempts: 1,
        claimedAt: null,
      });

      expect(await store.ledger.currentFence('g1', 'wos', 'OTHER')).toBe(0);
      expect(await store.ledger.nextFence('g1', 'wos', 'OTHER')).toBe(1);
      expect([...(await store.ledger.finalFids('wos', 'CODE1', ['1001', '1003', '9999']))]).toEqual(['1001']);
      expect(await store.ledger.countByStatus('wos', 'CODE1')).toEqual({
        pending: 0,
        retry: 1,
        success: 1,
        already: 0,
        failed: 0,
      });
      expect((await store.ledger.listForCode('wos', 'CODE1')).map((r) => r.fid)).toEqual(['1001', '1003']);
    });

    it('ledger: importFinal writes only where no final row exists; wrong-state rows reopen', async () => {
      const scope = await scopeFor(store, 'g1');
      await store.ledger.claim(scope, '1');
      await store.ledger.record(scope, '1', SUCCESS);
      const written = await store.ledger.importFinal([
        {
          game: 'wos',
          fid: '1',
          code: 'CODE1',
          guildId: 'g1',
          outcome: { status: 'already', errCode: 40008, msg: 'RECEIVED.' },
        },
        {
          game: 'wos',
          fid: '2',
          code: 'CODE1',
          guildId: 'g1',
          outcome: { status: 'already', errCode: 40008, msg: 'RECEIVED.' },
        },
      ]);
      expect(written).toBe(1);
      expect((await store.ledger.get('wos', '1', 'CODE1'))?.status).toBe('success');
      await store.ledger.claim(scope, '3');
      await store.ledger.record(scope, '3', {
        status: 'failed',
        reason: 'wrong-state',
        errCode: 40004,
        msg: 'USER INFO ERROR',
      });
      expect(await store.ledger.reopenWrongState('wos', '3')).toBe(1);
      expect(await store.ledger.get('wos', '3', 'CODE1')).toMatchObject({ status: 'retry', finishedAt: null });
    });

    it('runs: start, finish with counts, running ones per owner, interrupted, recent first', async () => {
      const a = await store.runs.start({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        trigger: 'auto',
        fence: 1,
        owner: 'host-a',
      });
      const b = await store.runs.start({
        guildId: 'g1',
        game: 'wos',
        code: 'D',
        trigger: 'manual',
        fence: 1,
        owner: 'host-b',
      });
      expect(b.id).toBeGreaterThan(a.id);
      expect(a).toMatchObject({ outcome: 'running', finishedAt: null, counts: null });
      expect((await store.runs.listRunning({ owner: 'host-b' })).map((r) => r.id)).toEqual([b.id]);
      await store.runs.finish(a.id, 'completed', { success: 3 }, 'done');
      expect(await store.runs.get(a.id)).toMatchObject({
        outcome: 'completed',
        counts: { success: 3 },
        message: 'done',
      });
      await store.runs.markInterrupted([b.id]);
      expect(await store.runs.listRunning()).toEqual([]);
      expect((await store.runs.listRecent('g1', 5)).map((r) => [r.id, r.outcome])).toEqual([
        [b.id, 'interrupted'],
        [a.id, 'completed'],
      ]);
      expect(await store.runs.get(9_999_999)).toBeNull();
    });

    it('deferred runs: merged per code, claimed by one of two processes, rescheduled, removed unless newer', async () => {
      const other = await another();
      await store.deferredRuns.defer({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        trigger: 'auto',
        fids: ['1'],
        reason: 'redis down',
        nextAttemptAt: 2_000,
      });
      const merged = await other.deferredRuns.defer({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        trigger: 'manual',
        fids: ['2'],
        reason: 'again',
        nextAttemptAt: 1_000,
      });
      expect(merged).toMatchObject({ trigger: 'auto', fids: ['1', '2'], nextAttemptAt: 1_000, version: 2 });
      const [first, second] = await Promise.all([
        store.deferredRuns.claimDue(5_000, 60_000, 10),
        other.deferredRuns.claimDue(5_000, 60_000, 10),
      ]);
      expect(first.length + second.length).toBe(1);
      await store.deferredRuns.reschedule({ guildId: 'g1', game: 'wos', code: 'C' }, 9_000, 'still down');
      expect((await store.deferredRuns.list())[0]).toMatchObject({
        attempts: 1,
        nextAttemptAt: 9_000,
        reason: 'still down',
      });
      expect(await store.deferredRuns.remove({ guildId: 'g1', game: 'wos', code: 'C' }, 1)).toBe(false);
      expect(await store.deferredRuns.remove({ guildId: 'g1', game: 'wos', code: 'C' }, 2)).toBe(true);
      expect(await store.deferredRuns.list()).toEqual([]);
    });

    it('wrong states: recorded once per state, listed, counted, cleared', async () => {
      await store.wrongStates.record('wos', '1', 10, { errCode: 40004, msg: 'USER INFO ERROR' });
      await store.wrongStates.record('wos', '1', 10);
      await store.wrongStates.record('wos', '1', 11);
      await store.wrongStates.record('wos', '2', 10);
      expect(await store.wrongStates.list('wos', '1')).toEqual([10, 11]);
      expect(await store.wrongStates.counts('wos', ['1', '3'])).toEqual(new Map([['1', 2]]));
      expect(await store.wrongStates.clear('wos', '1')).toBe(2);
      expect(await store.wrongStates.list('wos', '1')).toEqual([]);
    });

    it('importBatch: a dry run changes nothing, the real run writes and verifies, a second run changes nothing', async () => {
      const batch = {
        source: 'import:test',
        guilds: [
          {
            id: 'g9',
            game: 'wos' as const,
            defaultState: 5,
            autoRedeem: null,
            resultChannelId: null,
            codesChannelId: null,
            name: 'Nine',
          },
        ],
        members: [
          { guildId: 'g9', fid: '1', state: 5, name: 'A' },
          { guildId: 'g9', fid: '2', state: null, name: null },
        ],
        codes: [{ game: 'wos' as const, code: 'OLD1', status: 'expired' as const }],
        ledger: [
          {
            game: 'wos' as const,
            fid: '1',
            code: 'OLD1',
            guildId: 'g9',
            outcome: { status: 'success' as const, errCode: 20000, msg: 'SUCCESS' },
          },
        ],
      };
      const dry = await store.importBatch(batch, { dryRun: true });
      expect(dry).toMatchObject({
        dryRun: true,
        guilds: { created: 1 },
        members: { created: 2 },
        ledger: { created: 1 },
      });
      expect(await store.guilds.get('g9')).toBeNull();
      const real = await store.importBatch(batch);
      expect(real.verified).toEqual({ guilds: 1, members: 2, codes: 1, ledger: 1 });
      expect((await store.members.list('g9')).length).toBe(2);
      const again = await store.importBatch(batch);
      expect(again).toMatchObject({
        guilds: { unchanged: 1 },
        members: { unchanged: 2 },
        codes: { unchanged: 1 },
        ledger: { unchanged: 1 },
      });
      expect(await store.checkWritable()).toBe(true);
    });

    it('two processes claiming the same (game, player, code) together: exactly one wins each player', async () => {
      const other = await another();
      const a = await scopeFor(store, 'g1', 'RACE');
      const b = await scopeFor(other, 'g2', 'RACE');
      const fids = Array.from({ length: 40 }, (_, i) => String(5000 + i));
      const results = await Promise.all(
        fids.flatMap((fid) => [store.ledger.claim(a, fid), other.ledger.claim(b, fid)]),
      );
      for (let i = 0; i < fids.length; i += 1) {
        const pair = [results[2 * i], results[2 * i + 1]].sort();
        expect(pair).toEqual(['claimed', 'claimed-elsewhere']);
      }
      const rows = await store.ledger.listForCode('wos', 'RACE');
      expect(rows).toHaveLength(40);
      expect(rows.every((row) => row.attempts === 1 && row.status === 'pending')).toBe(true);
    });

    it('fences from two processes at once are all different, and a stale run of the same guild never records', async () => {
      const other = await another();
      const fences = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).ledger.nextFence('g1', 'wos', 'F')),
      );
      expect(new Set(fences).size).toBe(20);
      expect(Math.max(...fences)).toBe(20);
      const old = await scopeFor(store, 'g1', 'F2');
      await store.ledger.claim(old, '1');
      const [newer, recorded] = await Promise.all([
        scopeFor(other, 'g1', 'F2'),
        store.ledger.record(old, '1', SUCCESS),
      ]);
      // Either the record committed before the newer fence (and the row is final) or it was refused; never both.
      const row = await other.ledger.get('wos', '1', 'F2');
      if (recorded === 'recorded') expect(row?.status).toBe('success');
      else {
        expect(recorded).toBe('stale-fence');
        expect(await other.ledger.claim(newer, '1')).toBe('claimed');
      }
    });
  });
}
