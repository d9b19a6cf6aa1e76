import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  COMMANDS_CHANNEL_ID,
  embedFields,
  embedOf,
  GUILD_ID,
  OTHER_ADMIN_ID,
  OTHER_CHANNEL_ID,
  OTHER_GUILD_ID,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';
import { addAlliance } from '../support/fixtures.ts';
import type { AllianceRecord } from '../../src/store/types.ts';

let h: BotHarness;
let main: AllianceRecord;
beforeAll(async () => {
  h = await startBotHarness();
  main = await addAlliance(h.bot.app.store, { guildId: GUILD_ID, game: 'wos', defaultState: 245 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const roster = async (guildId = GUILD_ID) => (await h.bot.app.store.members.list(guildId)).map((m) => m.fid);

describe('/member', () => {
  it('add, then list shows the player; names are escaped and never ping', async () => {
    const add = h.command({
      name: 'member',
      subcommand: 'add',
      options: { fid: '12345678', name: '@everyone *Boss*' },
    });
    const added = await h.reply(add.token);
    expect(added).toMatchObject({ ephemeral: true });
    expect(added.content).toBe(
      'Added player **12345678** (@everyone \\*Boss\\*) · state 245. The roster has 1 member. Any codes still valid are redeemed for them now.',
    );
    expect(h.calls(add.token)[0]?.body).toMatchObject({ data: { allowed_mentions: { parse: [] } } });

    const list = h.command({ name: 'member', subcommand: 'list' });
    const shown = await h.reply(list.token);
    expect(embedOf(shown).title).toBe('Roster · 1 member');
    expect(embedOf(shown).description).toBe('1. `12345678` · state 245 · @everyone \\*Boss\\*');
    expect(shown.components).toEqual([]);

    const update = h.command({ name: 'member', subcommand: 'add', options: { fid: '12345678', state: 246 } });
    expect((await h.reply(update.token)).content).toContain('Updated player **12345678**');
    expect((await h.bot.app.store.members.get(GUILD_ID, '12345678'))?.state).toBe(246);
  });

  it('remove takes the player off; an fid not on the roster or not a number is an ephemeral error', async () => {
    const gone = h.command({ name: 'member', subcommand: 'remove', options: { fid: '12345678' } });
    expect((await h.reply(gone.token)).content).toContain('Removed player **12345678**');
    expect(await roster()).toEqual([]);
    const again = h.command({ name: 'member', subcommand: 'remove', options: { fid: '12345678' } });
    expect(await h.reply(again.token)).toMatchObject({
      ephemeral: true,
      content: "Player 12345678 is not on this alliance's roster.",
    });
    const bad = h.command({ name: 'member', subcommand: 'add', options: { fid: 'abc' } });
    expect((await h.reply(bad.token)).content).toContain('"abc" is not a player id');
  });

  it('list is paginated with buttons that page through the roster', async () => {
    await h.bot.app.store.members.addMany(
      main.id,
      Array.from({ length: 32 }, (_, i) => ({ fid: String(70_000_001 + i), state: 245, name: null })),
    );
    const list = h.command({ name: 'member', subcommand: 'list' });
    const page1 = await h.reply(list.token);
    expect(embedOf(page1)).toMatchObject({ title: 'Roster · 32 members', footer: { text: 'Page 1 of 3' } });
    const buttons = (page1.components![0] as { components: Array<{ custom_id: string; disabled?: boolean }> })
      .components;
    expect(buttons.map((b) => [b.custom_id, b.disabled ?? false])).toEqual([
      ['giftbot:members:0:prev', true],
      ['giftbot:members:1:next', false],
    ]);
    const click = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: 'giftbot:members:1:next',
      messageId: page1.id,
    });
    await h.fake.waitFor(() => h.calls(click.token)[0]?.status === 204);
    expect(h.calls(click.token)[0]?.body).toMatchObject({ type: 7 });
    const page2 = h.fake.message(page1.id);
    expect(embedOf(page2).footer?.text).toBe('Page 2 of 3');
    expect(embedOf(page2).description?.split('\n')[0]).toBe('16. `70000016` · state 245');
  });

  it('import reads a CSV attachment; any bad line imports nothing unless skip_invalid', async () => {
    const csv = 'fid,state,name\n80000001,245,Alice\n80000002,,"Bob, the second"\nnot-a-fid,245,Eve\n';
    const strict = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'roster.csv', content: csv } } },
    });
    const refused = await h.reply(strict.token, (m) => (m.embeds?.length ?? 0) > 0);
    expect(h.calls(strict.token)[0]?.body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(embedOf(refused)).toMatchObject({ title: 'Nothing imported: 1 bad line' });
    expect(embedOf(refused).description).toContain('line 4: "not-a-fid" is not a player id');
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000001')).toBeNull();

    const lenient = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'roster.csv', content: csv } }, skip_invalid: true },
    });
    const done = await h.reply(lenient.token, (m) => (m.embeds?.length ?? 0) > 0);
    expect(embedOf(done)).toMatchObject({ title: 'Imported 2 players' });
    expect(embedOf(done).description).toContain('2 new · 0 updated · 1 rejected');
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000002')).toMatchObject({
      state: 245,
      name: 'Bob, the second',
    });
  });

  it('import reads columns by header name, lists the first 20 bad lines and counts the rest, and refuses a binary file', async () => {
    const csv = `FID,Name,State\n80000011,\x1b[1mZoë\x1b[0m,246\n${Array.from({ length: 25 }, (_, i) => `bad${i},x,245`).join('\n')}\n`;
    const strict = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'roster.csv', content: csv } } },
    });
    const refused = embedOf(await h.reply(strict.token, (m) => (m.embeds?.length ?? 0) > 0));
    expect(refused.title).toBe('Nothing imported: 25 bad lines');
    const lines = refused.description?.split('\n') ?? [];
    expect(lines[0]).toBe('line 3: "bad0" is not a player id (digits only)');
    expect(lines[19]).toBe('line 22: "bad19" is not a player id (digits only)');
    expect(lines[20]).toBe('… and 5 more');

    const lenient = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'roster.csv', content: csv } }, skip_invalid: true },
    });
    expect(embedOf(await h.reply(lenient.token, (m) => (m.embeds?.length ?? 0) > 0)).title).toBe('Imported 1 player');
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000011')).toMatchObject({ state: 246, name: 'Zoë' });

    const binary = h.command({
      name: 'member',
      subcommand: 'import',
      options: {
        file: {
          attachment: { filename: 'roster.xlsx', content: `PK\x03\x04\x00\x00${'80000012,245,x\n'.repeat(50)}` },
        },
      },
    });
    const answer = await h.reply(binary.token, (m) => (m.content ?? '') !== '');
    expect(answer.content).toBe(
      'The file contains NUL bytes: it is a binary file, not CSV. Save it as CSV (UTF-8) and try again.',
    );
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000012')).toBeNull();
  });

  it('add strips terminal escape codes and control characters from the name', async () => {
    const add = h.command({
      name: 'member',
      subcommand: 'add',
      options: { fid: '80000013', name: '\x1b]0;owned\x07Ana\x1b[2K \u0007Lí 李' },
    });
    expect((await h.reply(add.token)).content).toContain('Added player **80000013** (Ana Lí 李)');
    expect((await h.bot.app.store.members.get(GUILD_ID, '80000013'))?.name).toBe('Ana Lí 李');
  });

  it('import refuses a file over the size limit before downloading it', async () => {
    const big = `fid,state,name\n${'80000003,245,x\n'.repeat(80_000)}`;
    const { token } = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'huge.csv', content: big } } },
    });
    const reply = await h.reply(token);
    expect(reply).toMatchObject({ ephemeral: true });
    expect(reply.content).toMatch(/^That file is \d+ KB; the limit is 1024 KB\.$/);
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000003')).toBeNull();
  });

  it('resolve finds the state of members whose state is unknown, live, then a summary', async () => {
    const lost = ['81000001', '81000002'];
    h.sim.addPlayers('wos', [
      { fid: lost[0]!, kid: 247 },
      { fid: lost[1]!, kid: 243 },
    ]);
    await h.bot.app.store.members.addMany(
      main.id,
      lost.map((fid) => ({ fid, state: null, name: null })),
    );
    const list = h.command({ name: 'member', subcommand: 'list' });
    expect(embedOf(await h.reply(list.token)).footer?.text).toContain('❔ state unknown');

    const { token } = h.command({ name: 'member', subcommand: 'resolve' });
    const done = await h.reply(token, (m) => /States found/.test(embedOf(m).title ?? ''), 20_000);
    expect(h.calls(token)[0]?.body).toMatchObject({ type: 5 });
    expect(h.calls(token).some((c) => /Looking up members/.test(JSON.stringify(c.body)))).toBe(true);
    expect(embedOf(done)).toMatchObject({ title: '✅ States found for 2 of 2 members', color: 0x57f287 });
    expect(embedFields(done).Members).toContain('`81000001` → state **247**');
    expect(embedFields(done).Members).toContain('`81000002` → state **243**');
    expect((await h.bot.app.store.members.get(GUILD_ID, '81000001'))?.state).toBe(247);

    const again = h.command({ name: 'member', subcommand: 'resolve', options: { fid: '81000001' } });
    expect((await h.reply(again.token)).content).toBe(
      'Player 81000001 is in state 247 as far as the game has told; nothing to look up.',
    );
  });

  it('every server sees only its own roster', async () => {
    await addAlliance(h.bot.app.store, { guildId: OTHER_GUILD_ID, game: 'wos', defaultState: 300 });
    const add = h.command({
      name: 'member',
      subcommand: 'add',
      options: { fid: '90000001' },
      guildId: OTHER_GUILD_ID,
      channelId: OTHER_CHANNEL_ID,
      userId: OTHER_ADMIN_ID,
    });
    expect((await h.reply(add.token)).content).toContain('state 300. The roster has 1 member.');
    const list = h.command({
      name: 'member',
      subcommand: 'list',
      guildId: OTHER_GUILD_ID,
      channelId: OTHER_CHANNEL_ID,
      userId: OTHER_ADMIN_ID,
    });
    expect(embedOf(await h.reply(list.token)).description).toBe('1. `90000001` · state 300');
    expect(await roster()).not.toContain('90000001');
    // The other server's admin works on their own roster only, even with a player id of ours.
    const intrude = h.command({
      name: 'member',
      subcommand: 'remove',
      options: { fid: '80000002' },
      guildId: OTHER_GUILD_ID,
      channelId: OTHER_CHANNEL_ID,
      userId: OTHER_ADMIN_ID,
    });
    expect((await h.reply(intrude.token)).content).toBe("Player 80000002 is not on this alliance's roster.");
    expect(await roster()).toContain('80000002');
  });
});
