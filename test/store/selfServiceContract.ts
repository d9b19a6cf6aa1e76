import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AllianceRecord, RunScope, Store } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';
import type { StoreFactory } from './storeContract.ts';

/** Member links, alliances.self_join and the history queries (issue 16), held to the same behaviour in both stores. */
export function selfServiceContract(kind: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`self-service store contract: ${kind}`, () => {
    let factory: StoreFactory;
    let store: Store;
    let main: AllianceRecord;
    beforeEach(async () => {
      factory = await makeFactory();
      store = await factory.open();
      main = await addAlliance(store, { guildId: 'g1', game: 'wos', defaultState: 1, name: 'Main' });
    });
    afterEach(async () => {
      try {
        await store?.close();
      } finally {
        await factory?.cleanup();
      }
    });

    async function scopeFor(guildId: string, code: string): Promise<RunScope> {
      const fence = await store.ledger.nextFence(guildId, 'wos', code);
      const run = await store.runs.start({
        guildId,
        game: 'wos',
        code,
        allianceIds: [],
        trigger: 't',
        fence,
        owner: 't',
      });
      return { guildId, game: 'wos', code, fence, runId: run.id };
    }

    it('alliances: self_join defaults to approve and can be changed', async () => {
      expect(main.selfJoin).toBe('approve');
      expect((await store.alliances.update(main.id, { selfJoin: 'open' }))?.selfJoin).toBe('open');
      expect((await store.alliances.get(main.id))?.selfJoin).toBe('open');
      expect((await store.alliances.list({ guildId: 'g1' }))[0]?.selfJoin).toBe('open');
    });

    it('member links: one player per user, a linked player is not taken over, unlink, notify, DMs closed once', async () => {
      const first = await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u1' });
      expect(first).toMatchObject({
        linked: true,
        link: { fid: '101', userId: 'u1', notify: false, dmClosedAt: null },
      });
      // The same pair again keeps the link; another user may not take the player; the user may not hold a second one.
      expect((await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u1' })).linked).toBe(
        true,
      );
      expect(await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u2' })).toMatchObject({
        linked: false,
        reason: 'taken',
        existing: { userId: 'u1' },
      });
      expect(await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '102', userId: 'u1' })).toMatchObject({
        linked: false,
        reason: 'other-player',
      });
      expect((await store.memberLinks.forUser('g1', 'u1'))?.fid).toBe('101');
      expect((await store.memberLinks.forPlayer('g1', '101'))?.userId).toBe('u1');

      expect((await store.memberLinks.setNotify('g1', 'u1', true))?.notify).toBe(true);
      expect((await store.memberLinks.listToNotify('wos', ['101', '999'])).map((l) => l.userId)).toEqual(['u1']);
      expect(await store.memberLinks.listToNotify('kingshot', ['101'])).toEqual([]);
      await store.memberLinks.markDmClosed('g1', 'u1', 1000);
      await store.memberLinks.markDmClosed('g1', 'u1', 2000);
      expect((await store.memberLinks.forUser('g1', 'u1'))?.dmClosedAt).toBe(1000);
      expect(await store.memberLinks.listToNotify('wos', ['101'])).toEqual([]);
      // Turning DMs on again forgets that they were closed.
      expect((await store.memberLinks.setNotify('g1', 'u1', true))?.dmClosedAt).toBeNull();
      expect(await store.memberLinks.setNotify('g1', 'nobody', true)).toBeNull();

      expect((await store.memberLinks.unlinkPlayer('g1', '101'))?.userId).toBe('u1');
      expect(await store.memberLinks.forUser('g1', 'u1')).toBeNull();
      expect((await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u2' })).linked).toBe(
        true,
      );
      expect((await store.memberLinks.unlinkUser('g1', 'u2'))?.fid).toBe('101');
      expect(await store.memberLinks.unlinkUser('g1', 'u2')).toBeNull();
    });

    it('languages: an alliance keeps its language (none by default), given at add or changed later', async () => {
      expect(main.language).toBeNull();
      expect((await store.alliances.update(main.id, { language: 'de' }))?.language).toBe('de');
      expect((await store.alliances.list({ guildId: 'g1' }))[0]?.language).toBe('de');
      expect((await store.alliances.update(main.id, { language: null }))?.language).toBeNull();
      const added = await store.alliances.add({
        guildId: 'g1',
        name: 'Second',
        game: 'wos',
        language: 'pt-BR',
        selfJoin: 'open',
      });
      expect(added.created && added.alliance).toMatchObject({ language: 'pt-BR', selfJoin: 'open' });
    });

    it("member links keep the member's locale: at link, and as it changes", async () => {
      await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u1', locale: 'de' });
      expect((await store.memberLinks.forUser('g1', 'u1'))?.locale).toBe('de');
      await store.memberLinks.rememberLocale('g1', 'u1', 'es-419');
      expect((await store.memberLinks.setNotify('g1', 'u1', true))?.locale).toBe('es-419');
      // Linking the same pair again from another client keeps the link and takes the newer locale.
      await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u1', locale: 'tr' });
      expect((await store.memberLinks.listToNotify('wos', ['101']))[0]?.locale).toBe('tr');
      await store.memberLinks.rememberLocale('g1', 'nobody', 'ru');
      expect(await store.memberLinks.forUser('g1', 'nobody')).toBeNull();
    });

    it('member links go with their server', async () => {
      await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid: '101', userId: 'u1' });
      await store.guilds.remove('g1');
      expect(await store.memberLinks.forUser('g1', 'u1')).toBeNull();
    });

    it("history: a player's latest results; a server's rows with name and alliance, by code", async () => {
      await store.members.add(main.id, { fid: '101', state: 1, name: 'Ann' });
      await store.members.add(main.id, { fid: '102', state: 1, name: 'Bob' });
      const other = await addAlliance(store, { guildId: 'g2', game: 'wos', defaultState: 1 });
      await store.members.add(other.id, { fid: '201', state: 1, name: 'Cid' });
      for (const code of ['AAAA', 'BBBB']) {
        const scope = await scopeFor('g1', code);
        for (const fid of ['101', '102']) {
          await store.ledger.claim(scope, fid);
          await store.ledger.record(
            scope,
            fid,
            fid === '101'
              ? { status: 'success', errCode: 20000, msg: 'SUCCESS' }
              : { status: 'failed', reason: 'furnace-too-low', errCode: 40006, msg: 'STOVE_LV ERROR.' },
          );
        }
      }
      const otherScope = await scopeFor('g2', 'AAAA');
      await store.ledger.claim(otherScope, '201');
      await store.ledger.record(otherScope, '201', { status: 'already', errCode: 40008, msg: 'RECEIVED.' });

      const rows = await store.history.forGuild('g1');
      expect(rows.map((r) => [r.code, r.fid, r.name, r.allianceName, r.status])).toEqual([
        ['AAAA', '101', 'Ann', 'Main', 'success'],
        ['AAAA', '102', 'Bob', 'Main', 'failed'],
        ['BBBB', '101', 'Ann', 'Main', 'success'],
        ['BBBB', '102', 'Bob', 'Main', 'failed'],
      ]);
      expect(rows[1]).toMatchObject({ reason: 'furnace-too-low', errCode: 40006, msg: 'STOVE_LV ERROR.' });
      expect((await store.history.forGuild('g1', { code: 'BBBB' })).map((r) => r.fid)).toEqual(['101', '102']);
      expect(await store.history.forGuild('g1', { code: 'NONE' })).toEqual([]);
      expect((await store.history.forGuild('g2')).map((r) => [r.fid, r.name, r.status])).toEqual([
        ['201', 'Cid', 'already'],
      ]);
      // A player who moved servers keeps the rows of their old server's runs there too.
      const mine = await store.history.forPlayer('wos', '101', 10);
      expect(mine.map((r) => r.code).sort()).toEqual(['AAAA', 'BBBB']);
      expect(await store.history.forPlayer('wos', '101', 1)).toHaveLength(1);
      expect(await store.history.forPlayer('kingshot', '101', 10)).toEqual([]);
    });
  });
}
