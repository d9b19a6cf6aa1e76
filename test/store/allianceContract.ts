import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.ts';
import { SUCCESS, addAlliance, useContractStore, type StoreFactory } from './contractSupport.ts';

/** Servers, alliances, one roster per server, and imports: the part of the store contract alliances brought. */
export function allianceContract(kind: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`store contract, alliances: ${kind}`, () => {
    const ctx = useContractStore(makeFactory);

    it('guilds: ensure creates once and keeps what is set, update, get, list; remove takes alliances, rosters and runs, keeps the ledger', async () => {
      expect(await ctx.store.guilds.ensure({ id: 'g3', name: 'Server three' })).toEqual({
        id: 'g3',
        name: 'Server three',
        adminRoleId: null,
      });
      expect(await ctx.store.guilds.update('g3', { adminRoleId: 'r1' })).toMatchObject({ adminRoleId: 'r1' });
      expect(await ctx.store.guilds.ensure({ id: 'g3' })).toMatchObject({ name: 'Server three', adminRoleId: 'r1' });
      expect(await ctx.store.guilds.update('nope', { adminRoleId: 'r1' })).toBeNull();
      expect(await ctx.store.guilds.get('nope')).toBeNull();
      expect((await ctx.store.guilds.list()).map((g) => g.id).sort()).toEqual(['g1', 'g2', 'g3']);

      await addAlliance(ctx.store, { guildId: 'g1', name: 'Other', game: 'kingshot', defaultState: 9 });
      await ctx.store.members.add(ctx.a1, { fid: '1', state: 1 });
      const scope = await ctx.scopeFor(ctx.store, 'g1');
      await ctx.store.ledger.claim(scope, '1');
      await ctx.store.ledger.record(scope, '1', SUCCESS);
      expect(await ctx.store.guilds.remove('g1')).toEqual({ alliances: 2, members: 1, runs: 1 });
      expect(await ctx.store.guilds.remove('g1')).toBeNull();
      expect(await ctx.store.guilds.get('g1')).toBeNull();
      expect(await ctx.store.alliances.list({ guildId: 'g1' })).toEqual([]);
      expect(await ctx.store.members.list('g1')).toEqual([]);
      expect((await ctx.store.ledger.get('wos', '1', 'CODE1'))?.status).toBe('success');
      expect(await ctx.store.ledger.currentFence('g1', 'wos', 'CODE1')).toBe(scope.fence);
    });

    it('alliances: names unique per server (case-insensitive), settings kept and updated, list filtered in fan-out order', async () => {
      const added = await ctx.store.alliances.add({
        guildId: 'g1',
        name: '  Kings ',
        game: 'kingshot',
        defaultState: 77,
        autoRedeem: false,
        resultChannelId: 'c1',
        fanoutPriority: 5,
      });
      if (!added.created) throw new Error('not created');
      expect(added.alliance).toEqual({
        id: added.alliance.id,
        guildId: 'g1',
        name: 'Kings',
        game: 'kingshot',
        defaultState: 77,
        autoRedeem: false,
        resultChannelId: 'c1',
        codesChannelId: null,
        fanoutPriority: 5,
        selfJoin: 'approve',
        language: null,
      });
      const kings = added.alliance.id;
      expect(await ctx.store.alliances.add({ guildId: 'g1', name: 'KINGS', game: 'wos' })).toMatchObject({
        created: false,
        reason: 'name-taken',
        existing: { id: kings },
      });
      // Another server may use the name.
      expect((await ctx.store.alliances.add({ guildId: 'g2', name: 'kings', game: 'wos' })).created).toBe(true);
      // A new server gets its row with its first alliance.
      expect(
        (await ctx.store.alliances.add({ guildId: 'g4', name: 'Four', game: 'wos', defaultState: 4 })).created,
      ).toBe(true);
      expect(await ctx.store.guilds.get('g4')).toMatchObject({ id: 'g4' });
      expect(await ctx.store.alliances.byName('g1', 'kInGs')).toMatchObject({ id: kings });
      expect(await ctx.store.alliances.byName('g1', 'nope')).toBeNull();
      expect(await ctx.store.alliances.update(kings, { autoRedeem: true, codesChannelId: 'k1' })).toMatchObject({
        id: kings,
        game: 'kingshot',
        autoRedeem: true,
        codesChannelId: 'k1',
        defaultState: 77,
      });
      await expect(ctx.store.alliances.update(kings, { name: 'one' })).rejects.toThrow();
      expect(await ctx.store.alliances.update(kings, { name: 'Kings of g1' })).toMatchObject({ name: 'Kings of g1' });
      expect(await ctx.store.alliances.update(9_999_999, { autoRedeem: true })).toBeNull();

      const names = async (filter?: Parameters<Store['alliances']['list']>[0]) =>
        (await ctx.store.alliances.list(filter)).map((a) => `${a.guildId}/${a.name}`);
      expect(await names()).toEqual(['g1/Kings of g1', 'g1/One', 'g2/Two', 'g2/kings', 'g4/Four']);
      expect(await names({ guildId: 'g1' })).toEqual(['g1/Kings of g1', 'g1/One']);
      expect(await names({ game: 'kingshot' })).toEqual(['g1/Kings of g1']);
      expect(await names({ codesChannelId: 'k1' })).toEqual(['g1/Kings of g1']);
      await ctx.store.alliances.update(ctx.a2, { autoRedeem: false });
      expect(await names({ game: 'wos', autoRedeem: true })).toEqual(['g1/One', 'g2/kings', 'g4/Four']);
    });

    it('alliances: two processes adding the same name together: exactly one creates it, the other is told it is taken', async () => {
      const other = await ctx.another();
      const results = await Promise.all([
        ctx.store.alliances.add({ guildId: 'g3', name: 'Twin', game: 'wos' }),
        other.alliances.add({ guildId: 'g3', name: 'TWIN', game: 'kingshot' }),
      ]);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      const [created, refused] = results[0]!.created ? results : [results[1]!, results[0]!];
      if (!created!.created || refused!.created) throw new Error('expected one created, one refused');
      expect(refused!).toMatchObject({ reason: 'name-taken', existing: { id: created!.alliance.id } });
      expect(await ctx.store.alliances.list({ guildId: 'g3' })).toHaveLength(1);
    });

    it('alliances: remove takes the members off the rosters, keeps the ledger and runs, and frees the name', async () => {
      const second = await addAlliance(ctx.store, { guildId: 'g1', name: 'Second', game: 'wos', defaultState: 1 });
      await ctx.store.members.addMany(second, [
        { fid: '1', state: 1 },
        { fid: '2', state: 1 },
      ]);
      await ctx.store.members.add(ctx.a1, { fid: '3', state: 1 });
      const scope = await ctx.scopeFor(ctx.store, 'g1');
      await ctx.store.ledger.claim(scope, '1');
      await ctx.store.ledger.record(scope, '1', SUCCESS);

      expect(await ctx.store.alliances.remove(second)).toEqual({ members: 2 });
      expect(await ctx.store.alliances.remove(second)).toBeNull();
      expect(await ctx.store.alliances.byName('g1', 'second')).toBeNull();
      expect((await ctx.store.alliances.list({ guildId: 'g1' })).map((a) => a.name)).toEqual(['One']);
      expect((await ctx.store.members.list('g1')).map((m) => m.fid)).toEqual(['3']);
      expect(await ctx.store.members.get('g1', '1')).toBeNull();
      expect((await ctx.store.ledger.get('wos', '1', 'CODE1'))?.status).toBe('success');
      expect(await ctx.store.runs.get(scope.runId)).toMatchObject({ guildId: 'g1' });
      // The name is free again; a player of the removed alliance comes back on the new one with their history.
      const again = await addAlliance(ctx.store, { guildId: 'g1', name: 'SECOND', game: 'wos', defaultState: 1 });
      expect(again).not.toBe(second);
      expect(await ctx.store.members.add(again, { fid: '1' })).toMatchObject({
        created: true,
        movedFrom: null,
        member: { allianceId: again, state: 1 },
      });
      expect([...(await ctx.store.ledger.finalFids('wos', 'CODE1', ['1']))]).toEqual(['1']);
    });

    it('members: one roster per server; adding to another alliance or move() keeps the history; list by alliance and game', async () => {
      const second = await addAlliance(ctx.store, { guildId: 'g1', name: 'Second', game: 'wos', defaultState: 1 });
      const kings = await addAlliance(ctx.store, { guildId: 'g1', name: 'Kings', game: 'kingshot', defaultState: 9 });
      expect(await ctx.store.members.add(ctx.a1, { fid: '1', state: 1, name: 'One' })).toMatchObject({
        created: true,
        movedFrom: null,
        member: { guildId: 'g1', allianceId: ctx.a1, game: 'wos', fid: '1' },
      });
      const scope = await ctx.scopeFor(ctx.store, 'g1');
      await ctx.store.ledger.claim(scope, '1');
      await ctx.store.ledger.record(scope, '1', SUCCESS);

      expect(await ctx.store.members.add(second, { fid: '1' })).toMatchObject({
        created: false,
        movedFrom: ctx.a1,
        member: { allianceId: second, state: 1, name: 'One' },
      });
      expect(await ctx.store.members.addMany(second, [{ fid: '1' }, { fid: '2', state: 1 }])).toEqual({
        created: 1,
        updated: 1,
        moved: 0,
      });
      expect(await ctx.store.members.addMany(ctx.a1, [{ fid: '1' }, { fid: '2' }, { fid: '3' }])).toEqual({
        created: 1,
        updated: 2,
        moved: 2,
      });
      expect(await ctx.store.members.move('g1', '2', second)).toMatchObject({
        from: ctx.a1,
        member: { allianceId: second, fid: '2', state: 1 },
      });
      expect(await ctx.store.members.move('g1', 'nobody', second)).toBeNull();
      await expect(ctx.store.members.move('g1', '2', ctx.a2)).rejects.toThrow();
      await ctx.store.members.add(kings, { fid: '9', state: 9 });
      expect((await ctx.store.ledger.get('wos', '1', 'CODE1'))?.status).toBe('success');

      const fids = async (filter?: Parameters<Store['members']['list']>[1]) =>
        (await ctx.store.members.list('g1', filter)).map((m) => m.fid);
      expect(await fids()).toEqual(['1', '2', '3', '9']);
      expect(await fids({ allianceIds: [second] })).toEqual(['2']);
      expect(await fids({ allianceIds: [ctx.a1, kings] })).toEqual(['1', '3', '9']);
      expect(await fids({ game: 'kingshot' })).toEqual(['9']);
      expect(await fids({ game: 'wos', allianceIds: [ctx.a1] })).toEqual(['1', '3']);
      expect(await fids({ allianceIds: [] })).toEqual([]);
      expect((await ctx.store.members.get('g1', '9'))?.game).toBe('kingshot');
      // A wrong state is about the player in one game: their entry on a kingshot roster (moved there) is not flagged.
      await ctx.store.members.add(kings, { fid: '3', state: 9 });
      await ctx.store.members.add(ctx.a2, { fid: '3', state: 1 });
      await ctx.store.members.flagWrongState('wos', '3');
      expect((await ctx.store.members.get('g2', '3'))?.stateStatus).toBe('wrong');
      expect((await ctx.store.members.get('g1', '3'))?.stateStatus).toBe('ok');
      // A state is per game: moved to the other game's alliance without one, the player's state is unknown there.
      expect(await ctx.store.members.move('g1', '1', kings)).toMatchObject({
        from: ctx.a1,
        member: { game: 'kingshot', state: null, stateStatus: 'unknown' },
      });
    });

    it('importBatch: a dry run changes nothing, the real run writes and verifies, a second run changes nothing', async () => {
      const alliance = (name: string, defaultState: number) => ({
        guildId: 'g9',
        name,
        game: 'wos' as const,
        defaultState,
        autoRedeem: null,
        resultChannelId: null,
        codesChannelId: null,
      });
      const batch = {
        source: 'import:test',
        guilds: [{ id: 'g9', name: 'Nine' }],
        alliances: [alliance('North', 5), alliance('South', 6), alliance('East', 7)],
        members: [
          { guildId: 'g9', allianceName: 'North', fid: '1', state: 5, name: 'A' },
          { guildId: 'g9', allianceName: 'south', fid: '2', state: null, name: null },
          { guildId: 'g9', allianceName: 'East', fid: '3', state: 7, name: 'C' },
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
      const dry = await ctx.store.importBatch(batch, { dryRun: true });
      expect(dry).toMatchObject({
        dryRun: true,
        guilds: { created: 1 },
        alliances: { created: 3 },
        members: { created: 3 },
        ledger: { created: 1 },
      });
      expect(await ctx.store.guilds.get('g9')).toBeNull();
      expect(await ctx.store.alliances.list({ guildId: 'g9' })).toEqual([]);
      const real = await ctx.store.importBatch(batch);
      expect(real.verified).toEqual({ guilds: 1, alliances: 3, members: 3, codes: 1, ledger: 1 });
      expect(await ctx.store.guilds.get('g9')).toMatchObject({ name: 'Nine' });
      const byName = new Map((await ctx.store.alliances.list({ guildId: 'g9' })).map((a) => [a.name, a]));
      expect([...byName.keys()].sort()).toEqual(['East', 'North', 'South']);
      expect(byName.get('South')).toMatchObject({ game: 'wos', defaultState: 6, autoRedeem: true });
      const roster = await ctx.store.members.list('g9');
      expect(roster.map((m) => [m.fid, m.allianceId])).toEqual([
        ['1', byName.get('North')!.id],
        ['2', byName.get('South')!.id],
        ['3', byName.get('East')!.id],
      ]);
      const again = await ctx.store.importBatch(batch);
      expect(again).toMatchObject({
        guilds: { unchanged: 1 },
        alliances: { unchanged: 3 },
        members: { unchanged: 3 },
        codes: { unchanged: 1 },
        ledger: { unchanged: 1 },
      });
      expect(await ctx.store.checkWritable()).toBe(true);
    });

    it('importBatch: matches alliances by name, leaves another game’s and a removed one alone, keeps giftbot’s rosters', async () => {
      // g1 has "One" (wos); add a kingshot "Kings" and a removed "Gone"; player 1 is on One's roster.
      await addAlliance(ctx.store, { guildId: 'g1', name: 'Kings', game: 'kingshot', defaultState: 9 });
      await ctx.store.alliances.remove(await addAlliance(ctx.store, { guildId: 'g1', name: 'Gone', game: 'wos' }));
      await ctx.store.members.add(ctx.a1, { fid: '1', state: 1 });
      const alliance = (name: string) => ({
        guildId: 'g1',
        name,
        game: 'wos' as const,
        defaultState: 2,
        autoRedeem: false,
        resultChannelId: 'r9',
        codesChannelId: null,
      });
      const result = await ctx.store.importBatch({
        source: 'import:test',
        guilds: [{ id: 'g1', name: null }],
        alliances: [alliance('ONE'), alliance('kings'), alliance('gone'), alliance('New')],
        members: [
          { guildId: 'g1', allianceName: 'New', fid: '1', state: 1, name: 'Moved?' },
          { guildId: 'g1', allianceName: 'kings', fid: '2', state: 2, name: null },
          { guildId: 'g1', allianceName: 'gone', fid: '3', state: 2, name: null },
          { guildId: 'g1', allianceName: 'New', fid: '4', state: 2, name: null },
        ],
        codes: [],
        ledger: [
          {
            game: 'wos',
            fid: '2',
            code: 'X',
            guildId: 'g1',
            outcome: { status: 'success', errCode: 20000, msg: 'SUCCESS' },
          },
          {
            game: 'wos',
            fid: '4',
            code: 'X',
            guildId: 'g1',
            outcome: { status: 'success', errCode: 20000, msg: 'SUCCESS' },
          },
        ],
      });
      expect(result).toMatchObject({
        guilds: { unchanged: 1 },
        alliances: { created: 1, updated: 1, unchanged: 0, skipped: 2 },
        members: { created: 1, updated: 1, unchanged: 0, skipped: 2 },
        ledger: { created: 1, skipped: 1 },
        verified: { guilds: 1, alliances: 2, members: 2, codes: 0, ledger: 1 },
      });
      // Only what giftbot did not know: One had no result channel; its state and auto-redeem stay.
      expect(await ctx.store.alliances.get(ctx.a1)).toMatchObject({
        defaultState: 1,
        autoRedeem: true,
        resultChannelId: 'r9',
      });
      expect(await ctx.store.members.get('g1', '1')).toMatchObject({ allianceId: ctx.a1, name: 'Moved?' });
      expect((await ctx.store.members.get('g1', '4'))?.allianceId).toBe(
        (await ctx.store.alliances.byName('g1', 'new'))?.id,
      );
      expect(await ctx.store.members.get('g1', '2')).toBeNull();
      expect(await ctx.store.members.get('g1', '3')).toBeNull();
      expect(await ctx.store.alliances.byName('g1', 'gone')).toBeNull();
      expect(result.notes).toEqual(
        expect.arrayContaining([
          'alliance "kings" of server g1 is a kingshot alliance in giftbot, not wos: it and its members were left alone',
          'alliance "gone" of server g1 was removed in giftbot: it and its members were left alone',
          'alliance "ONE" of server g1: kept giftbot\'s default state 1 (the import says 2)',
          'alliance "ONE" of server g1: kept giftbot\'s auto-redeem on (the import says off)',
          "1 member(s) are in another alliance in giftbot than in the import: giftbot's was kept (giftbot members move moves them)",
        ]),
      );
    });
  });
}
