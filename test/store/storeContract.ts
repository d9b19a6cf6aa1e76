import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.ts';
import { SUCCESS, useContractStore, type StoreFactory } from './contractSupport.ts';

export type { StoreFactory };

/** The behaviour every Store must have, run against SQLite and PostgreSQL alike (alliances: allianceContract.ts). */
export function storeContract(kind: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`store contract: ${kind}`, () => {
    const ctx = useContractStore(makeFactory);

    it('members: add, re-add after removal, addMany all-or-counted, state rules, flagWrongState across rosters', async () => {
      expect((await ctx.store.members.add(ctx.a1, { fid: '1', name: 'One' })).created).toBe(true);
      expect(await ctx.store.members.get('g1', '1')).toMatchObject({
        state: null,
        stateStatus: 'unknown',
        name: 'One',
      });
      const again = await ctx.store.members.add(ctx.a1, { fid: '1', state: 245 });
      expect(again).toMatchObject({ created: false, member: { state: 245, stateStatus: 'ok', name: 'One' } });
      expect(await ctx.store.members.addMany(ctx.a1, [{ fid: '2', state: 245 }, { fid: '1' }, { fid: '3' }])).toEqual({
        created: 2,
        updated: 1,
        moved: 0,
      });
      expect(await ctx.store.members.remove('g1', '2')).toBe(true);
      expect(await ctx.store.members.remove('g1', '2')).toBe(false);
      expect(await ctx.store.members.get('g1', '2')).toBeNull();
      expect((await ctx.store.members.list('g1')).map((m) => m.fid)).toEqual(['1', '3']);
      expect((await ctx.store.members.add(ctx.a1, { fid: '2' })).created).toBe(true);
      await ctx.store.members.setState('g1', '3', 250, 'ok');
      expect(await ctx.store.members.get('g1', '3')).toMatchObject({ state: 250, stateStatus: 'ok' });
      await ctx.store.members.add(ctx.a2, { fid: '1', state: 245 });
      await ctx.store.members.flagWrongState('wos', '1');
      expect((await ctx.store.members.get('g1', '1'))?.stateStatus).toBe('wrong');
      expect((await ctx.store.members.get('g2', '1'))?.stateStatus).toBe('wrong');
    });

    it('codes: add once, status with raw answer, recheck once, fan-out marks, list by game and status', async () => {
      expect((await ctx.store.codes.add('wos', 'A1', 'manual')).created).toBe(true);
      expect(await ctx.store.codes.add('wos', 'A1', 'feed')).toMatchObject({
        created: false,
        code: { source: 'manual', status: 'new' },
      });
      await ctx.store.codes.add('kingshot', 'K1', 'feed');
      await ctx.store.codes.setStatus('wos', 'A1', 'invalid', { errCode: 40014, msg: 'CDK NOT FOUND.' });
      expect(await ctx.store.codes.get('wos', 'A1')).toMatchObject({
        status: 'invalid',
        validationErrCode: 40014,
        validationMsg: 'CDK NOT FOUND.',
      });
      expect(await ctx.store.codes.reopenForRecheck('wos', 'A1')).toBe(true);
      await ctx.store.codes.setStatus('wos', 'A1', 'expired');
      expect(await ctx.store.codes.reopenForRecheck('wos', 'A1')).toBe(false);
      await ctx.store.codes.markFanoutStarted('kingshot', 'K1');
      await ctx.store.codes.markFanoutDone('kingshot', 'K1');
      const k1 = await ctx.store.codes.get('kingshot', 'K1');
      expect(k1?.fanoutStartedAt).toBeGreaterThan(0);
      expect(k1?.fanoutDoneAt).toBeGreaterThan(0);
      expect((await ctx.store.codes.list({ game: 'wos' })).map((c) => c.code)).toEqual(['A1']);
      expect((await ctx.store.codes.list({ statuses: ['new'] })).map((c) => c.code)).toEqual(['K1']);
      expect(await ctx.store.codes.get('wos', 'NOPE')).toBeNull();
    });

    it('ledger: a stale fence is refused, a final row never downgraded, the other guild waits, unclaim withdraws', async () => {
      const stale = await ctx.scopeFor(ctx.store, 'g1');
      expect(await ctx.store.ledger.claim(stale, '1001')).toBe('claimed');
      const fresh = await ctx.scopeFor(ctx.store, 'g1');
      expect(fresh.fence).toBe(stale.fence + 1);
      expect(await ctx.store.ledger.currentFence('g1', 'wos', 'CODE1')).toBe(fresh.fence);
      expect(await ctx.store.ledger.record(stale, '1001', SUCCESS)).toBe('stale-fence');
      expect(await ctx.store.ledger.claim(stale, '1002')).toBe('stale-fence');
      expect(await ctx.store.ledger.claim(fresh, '1001')).toBe('claimed');
      expect(await ctx.store.ledger.record(fresh, '1001', SUCCESS)).toBe('recorded');
      expect(
        await ctx.store.ledger.record(fresh, '1001', { status: 'already', errCode: 40008, msg: 'RECEIVED.' }),
      ).toBe('already-final');
      expect(await ctx.store.ledger.record(fresh, '1001', { status: 'retry', reason: 'timeout' })).toBe(
        'already-final',
      );
      expect(await ctx.store.ledger.claim(fresh, '1001')).toBe('final');
      expect(await ctx.store.ledger.get('wos', '1001', 'CODE1')).toMatchObject({
        status: 'success',
        errCode: 20000,
        msg: 'SUCCESS',
        attempts: 2,
        fence: fresh.fence,
        guildId: 'g1',
      });

      const other = await ctx.scopeFor(ctx.store, 'g2');
      expect(await ctx.store.ledger.claim(fresh, '1003')).toBe('claimed');
      expect(await ctx.store.ledger.claim(other, '1003')).toBe('claimed-elsewhere');
      await ctx.store.ledger.unclaim(fresh, '1003');
      expect(await ctx.store.ledger.get('wos', '1003', 'CODE1')).toBeNull();
      expect(await ctx.store.ledger.claim(other, '1003')).toBe('claimed');
      await ctx.store.ledger.record(other, '1003', { status: 'retry', reason: 'timeout' });
      expect(await ctx.store.ledger.claim(other, '1003')).toBe('claimed');
      await ctx.store.ledger.unclaim(other, '1003');
      expect(await ctx.store.ledger.get('wos', '1003', 'CODE1')).toMatchObject({
        status: 'retry',
        attempts: 1,
        claimedAt: null,
      });

      expect(await ctx.store.ledger.currentFence('g1', 'wos', 'OTHER')).toBe(0);
      expect(await ctx.store.ledger.nextFence('g1', 'wos', 'OTHER')).toBe(1);
      expect([...(await ctx.store.ledger.finalFids('wos', 'CODE1', ['1001', '1003', '9999']))]).toEqual(['1001']);
      expect(await ctx.store.ledger.countByStatus('wos', 'CODE1')).toEqual({
        pending: 0,
        retry: 1,
        success: 1,
        already: 0,
        failed: 0,
      });
      expect((await ctx.store.ledger.listForCode('wos', 'CODE1')).map((r) => r.fid)).toEqual(['1001', '1003']);
    });

    it('ledger: importFinal writes only where no final row exists; wrong-state rows reopen', async () => {
      const scope = await ctx.scopeFor(ctx.store, 'g1');
      await ctx.store.ledger.claim(scope, '1');
      await ctx.store.ledger.record(scope, '1', SUCCESS);
      const written = await ctx.store.ledger.importFinal([
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
      expect((await ctx.store.ledger.get('wos', '1', 'CODE1'))?.status).toBe('success');
      await ctx.store.ledger.claim(scope, '3');
      await ctx.store.ledger.record(scope, '3', {
        status: 'failed',
        reason: 'wrong-state',
        errCode: 40004,
        msg: 'USER INFO ERROR',
      });
      expect(await ctx.store.ledger.reopenWrongState('wos', '3')).toBe(1);
      expect(await ctx.store.ledger.get('wos', '3', 'CODE1')).toMatchObject({ status: 'retry', finishedAt: null });
    });

    it('runs: start, finish with counts, running ones per owner, interrupted, recent first', async () => {
      const a = await ctx.store.runs.start({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        allianceIds: [ctx.a1],
        trigger: 'auto',
        fence: 1,
        owner: 'host-a',
      });
      const b = await ctx.store.runs.start({
        guildId: 'g1',
        game: 'wos',
        code: 'D',
        allianceIds: [],
        trigger: 'manual',
        fence: 1,
        owner: 'host-b',
      });
      expect(b.id).toBeGreaterThan(a.id);
      expect(a).toMatchObject({ outcome: 'running', finishedAt: null, counts: null, allianceIds: [ctx.a1] });
      expect(b.allianceIds).toEqual([]);
      expect((await ctx.store.runs.listRunning({ owner: 'host-b' })).map((r) => r.id)).toEqual([b.id]);
      await ctx.store.runs.finish(a.id, 'completed', { success: 3 }, 'done');
      expect(await ctx.store.runs.get(a.id)).toMatchObject({
        outcome: 'completed',
        counts: { success: 3 },
        message: 'done',
      });
      await ctx.store.runs.markInterrupted([b.id]);
      expect(await ctx.store.runs.listRunning()).toEqual([]);
      expect((await ctx.store.runs.listRecent('g1', 5)).map((r) => [r.id, r.outcome])).toEqual([
        [b.id, 'interrupted'],
        [a.id, 'completed'],
      ]);
      expect(await ctx.store.runs.get(9_999_999)).toBeNull();
    });

    it('deferred runs: merged per code, claimed by one of two processes, rescheduled, removed unless newer', async () => {
      const other = await ctx.another();
      await ctx.store.deferredRuns.defer({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        trigger: 'auto',
        fids: ['1'],
        allianceIds: [ctx.a1],
        reason: 'redis down',
        nextAttemptAt: 2_000,
      });
      const merged = await other.deferredRuns.defer({
        guildId: 'g1',
        game: 'wos',
        code: 'C',
        trigger: 'manual',
        fids: ['2'],
        allianceIds: [ctx.a1, 7],
        reason: 'again',
        nextAttemptAt: 1_000,
      });
      expect(merged).toMatchObject({
        trigger: 'auto',
        fids: ['1', '2'],
        allianceIds: [ctx.a1, 7],
        nextAttemptAt: 1_000,
        version: 2,
      });
      const [first, second] = await Promise.all([
        ctx.store.deferredRuns.claimDue(5_000, 60_000, 10),
        other.deferredRuns.claimDue(5_000, 60_000, 10),
      ]);
      expect(first.length + second.length).toBe(1);
      await ctx.store.deferredRuns.reschedule({ guildId: 'g1', game: 'wos', code: 'C' }, 9_000, 'still down');
      expect((await ctx.store.deferredRuns.list())[0]).toMatchObject({
        attempts: 1,
        nextAttemptAt: 9_000,
        reason: 'still down',
      });
      expect(await ctx.store.deferredRuns.remove({ guildId: 'g1', game: 'wos', code: 'C' }, 1)).toBe(false);
      expect(await ctx.store.deferredRuns.remove({ guildId: 'g1', game: 'wos', code: 'C' }, 2)).toBe(true);
      expect(await ctx.store.deferredRuns.list()).toEqual([]);

      // Every alliance (null) wins over a list, whichever comes first; so does every member.
      const defer = (s: Store, fids: string[] | null, allianceIds: number[] | null) =>
        s.deferredRuns.defer({
          guildId: 'g1',
          game: 'wos',
          code: 'E',
          trigger: 'auto',
          fids,
          allianceIds,
          reason: 'down',
          nextAttemptAt: 1,
        });
      expect(await defer(ctx.store, null, [ctx.a1])).toMatchObject({ fids: null, allianceIds: [ctx.a1] });
      expect(await defer(other, ['5'], null)).toMatchObject({ fids: null, allianceIds: null });
      expect(await defer(ctx.store, ['6'], [ctx.a1])).toMatchObject({ fids: null, allianceIds: null });
    });

    it('wrong states: recorded once per state, listed, counted, cleared', async () => {
      await ctx.store.wrongStates.record('wos', '1', 10, { errCode: 40004, msg: 'USER INFO ERROR' });
      await ctx.store.wrongStates.record('wos', '1', 10);
      await ctx.store.wrongStates.record('wos', '1', 11);
      await ctx.store.wrongStates.record('wos', '2', 10);
      expect(await ctx.store.wrongStates.list('wos', '1')).toEqual([10, 11]);
      expect(await ctx.store.wrongStates.counts('wos', ['1', '3'])).toEqual(new Map([['1', 2]]));
      expect(await ctx.store.wrongStates.clear('wos', '1')).toBe(2);
      expect(await ctx.store.wrongStates.list('wos', '1')).toEqual([]);
    });

    it('two processes claiming the same (game, player, code) together: exactly one wins each player', async () => {
      const other = await ctx.another();
      const a = await ctx.scopeFor(ctx.store, 'g1', 'RACE');
      const b = await ctx.scopeFor(other, 'g2', 'RACE');
      const fids = Array.from({ length: 40 }, (_, i) => String(5000 + i));
      const results = await Promise.all(
        fids.flatMap((fid) => [ctx.store.ledger.claim(a, fid), other.ledger.claim(b, fid)]),
      );
      for (let i = 0; i < fids.length; i += 1) {
        const pair = [results[2 * i], results[2 * i + 1]].sort();
        expect(pair).toEqual(['claimed', 'claimed-elsewhere']);
      }
      const rows = await ctx.store.ledger.listForCode('wos', 'RACE');
      expect(rows).toHaveLength(40);
      expect(rows.every((row) => row.attempts === 1 && row.status === 'pending')).toBe(true);
    });

    it('fences from two processes at once are all different, and a stale run of the same guild never records', async () => {
      const other = await ctx.another();
      const fences = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? ctx.store : other).ledger.nextFence('g1', 'wos', 'F')),
      );
      expect(new Set(fences).size).toBe(20);
      expect(Math.max(...fences)).toBe(20);
      const old = await ctx.scopeFor(ctx.store, 'g1', 'F2');
      await ctx.store.ledger.claim(old, '1');
      const [newer, recorded] = await Promise.all([
        ctx.scopeFor(other, 'g1', 'F2'),
        ctx.store.ledger.record(old, '1', SUCCESS),
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
