// Several alliances in one server, managed from Discord: the real discord.js client against the fake Discord, a real
// SQLite store and the game-API simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMANDS_CHANNEL_ID,
  embedOf,
  GUILD_ID,
  MEMBER_ID,
  ADMIN_ID,
  OTHER_ADMIN_ID,
  OTHER_CHANNEL_ID,
  OTHER_GUILD_ID,
  RESULTS_CHANNEL_ID,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness();
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const store = () => h.bot.app.store;
const alliance = async (name: string, guildId = GUILD_ID) => store().alliances.byName(guildId, name);
const ask = async (input: Parameters<BotHarness['command']>[0]) => (await h.reply(h.command(input).token)).content;

/** A member typing `typed` into `alliance:` of a command; resolves with the suggestions the bot answered. */
async function suggestions(
  typed: string,
  { userId = ADMIN_ID, guildId = GUILD_ID, channelId = COMMANDS_CHANNEL_ID } = {},
): Promise<string[]> {
  const { token } = h.fake.sendAutocomplete({
    guildId,
    channelId,
    userId,
    name: 'member',
    subcommand: 'list',
    focused: 'alliance',
    typed,
  });
  const choices = await h.fake.waitFor(() => h.fake.autocompleteChoices(token));
  return choices.map((c) => String(c.value));
}

describe('several alliances in one server', () => {
  it('/alliance add creates alliances of both games; a taken name is refused; /alliance list shows them', async () => {
    expect(
      await ask({ name: 'alliance', subcommand: 'add', options: { name: 'Wolves', game: 'wos', state: 245 } }),
    ).toContain('Added alliance **Wolves**: Whiteout Survival, state **245**; auto-redeem is **on**.');
    await ask({ name: 'alliance', subcommand: 'add', options: { name: 'Bears', game: 'wos', state: 246 } });
    await ask({ name: 'alliance', subcommand: 'add', options: { name: 'Kings', game: 'kingshot', state: 12 } });
    expect(await ask({ name: 'alliance', subcommand: 'add', options: { name: 'wolves', game: 'wos', state: 1 } })).toBe(
      'This server already has an alliance named **Wolves**; pick another name, or change that one with `/alliance edit`.',
    );
    const list = await h.reply(h.command({ name: 'alliance', subcommand: 'list' }).token);
    expect(embedOf(list).title).toBe('Alliances · 3');
    expect(embedOf(list).description?.split('\n')).toEqual([
      '**Wolves** · 0 members · Whiteout Survival · state 245 · auto-redeem on · results not set · priority 100',
      '**Bears** · 0 members · Whiteout Survival · state 246 · auto-redeem on · results not set · priority 100',
      '**Kings** · 0 members · Kingshot · state 12 · auto-redeem on · results not set · priority 100',
    ]);
  });

  it("autocomplete answers with this server's alliance names, filtered by what was typed; nothing for a plain member", async () => {
    await store().alliances.add({ guildId: OTHER_GUILD_ID, name: 'Wombats', game: 'wos', defaultState: 300 });
    expect(await suggestions('')).toEqual(['Wolves', 'Bears', 'Kings']);
    expect(await suggestions('w')).toEqual(['Wolves']);
    expect(await suggestions('ING')).toEqual(['Kings']);
    expect(await suggestions('x')).toEqual([]);
    expect(await suggestions('', { userId: MEMBER_ID })).toEqual([]);
    expect(
      await suggestions('', { guildId: OTHER_GUILD_ID, channelId: OTHER_CHANNEL_ID, userId: OTHER_ADMIN_ID }),
    ).toEqual(['Wombats']);
  });

  it('a command on one alliance needs alliance: when the server has several, and names them', async () => {
    const expected = 'This server has 3 alliances ("Wolves", "Bears" and "Kings"): say which one with `alliance:`.';
    expect(await ask({ name: 'member', subcommand: 'add', options: { fid: '61000001' } })).toBe(expected);
    expect(await ask({ name: 'member', subcommand: 'list' })).toBe(expected);
    expect(await ask({ name: 'autoredeem', subcommand: 'status' })).toBe(expected);
    expect(await ask({ name: 'alliance', subcommand: 'channel', options: { results: RESULTS_CHANNEL_ID } })).toBe(
      expected,
    );
    // Today's one-alliance set-up points to the commands for several.
    expect(await ask({ name: 'alliance', subcommand: 'setup', options: { game: 'wos', state: 245 } })).toBe(
      'This server has 3 alliances: change one with `/alliance edit alliance:<name> state:<state>`, or add one with `/alliance add`.',
    );
    expect(await ask({ name: 'member', subcommand: 'list', options: { alliance: 'Lions' } })).toBe(
      'This server has no alliance named "Lions". Its alliances: "Wolves", "Bears" and "Kings".',
    );
    expect(await store().members.get(GUILD_ID, '61000001')).toBeNull();
  });

  it('/member add alliance: then /member move puts the player on the other roster; their history goes along', async () => {
    expect(
      await ask({ name: 'member', subcommand: 'add', options: { fid: '61000001', name: 'Ann', alliance: 'wolves' } }),
    ).toContain('Added player **61000001** (Ann) to **Wolves** · state 245. The roster of **Wolves** has 1 member.');
    const wolves = (await alliance('Wolves'))!;
    const bears = (await alliance('Bears'))!;
    await store().ledger.importFinal([
      { game: 'wos', fid: '61000001', code: 'OLDCODE1', guildId: GUILD_ID, outcome: { status: 'success' } },
    ]);

    expect(await ask({ name: 'member', subcommand: 'move', options: { fid: '61000001', alliance: 'Bears' } })).toBe(
      'Moved player **61000001** (Ann) from **Wolves** to **Bears**; their redemption history goes with them.',
    );
    expect(await store().members.get(GUILD_ID, '61000001')).toMatchObject({ allianceId: bears.id, state: 245 });
    expect(await store().members.list(GUILD_ID, { allianceIds: [wolves.id] })).toEqual([]);
    expect((await store().ledger.get('wos', '61000001', 'OLDCODE1'))?.status).toBe('success');

    expect(
      await ask({ name: 'member', subcommand: 'move', options: { fid: '61000001', alliance: 'Kings' } }),
    ).toContain('**Kings** plays Kingshot');
    expect(
      await ask({ name: 'member', subcommand: 'move', options: { fid: '61000009', alliance: 'Bears' } }),
    ).toContain("Player 61000009 is not on any alliance's roster here.");
    const list = await h.reply(h.command({ name: 'member', subcommand: 'list', options: { alliance: 'Bears' } }).token);
    expect(embedOf(list).title).toBe('Roster · Bears · 1 member');
    expect(embedOf(list).description).toBe('1. `61000001` · state 245 · Ann');
  });

  it('/member import sends each line to the alliance its column names; an unknown alliance is a bad line', async () => {
    const csv = 'fid,state,name,alliance\n61000011,,Bo,Wolves\n61000012,13,Cy,kings\n61000013,245,Di,Lions\n';
    const file = { attachment: { filename: 'roster.csv', content: csv } };
    const strict = h.command({ name: 'member', subcommand: 'import', options: { file } });
    const refused = await h.reply(strict.token, (m) => (m.embeds?.length ?? 0) > 0);
    expect(embedOf(refused).title).toBe('Nothing imported: 1 bad line');
    expect(embedOf(refused).description).toContain(
      'line 4: no alliance named "Lions" here ("Wolves", "Bears" and "Kings")',
    );
    const lenient = h.command({ name: 'member', subcommand: 'import', options: { file, skip_invalid: true } });
    const done = await h.reply(lenient.token, (m) => (m.embeds?.length ?? 0) > 0);
    expect(embedOf(done).title).toBe('Imported 2 players');
    expect(await store().members.get(GUILD_ID, '61000011')).toMatchObject({
      allianceId: (await alliance('Wolves'))!.id,
      state: 245,
    });
    expect(await store().members.get(GUILD_ID, '61000012')).toMatchObject({
      allianceId: (await alliance('Kings'))!.id,
      game: 'kingshot',
      state: 13,
    });
  });

  it('/alliance edit and /autoredeem change one alliance; /giftcode list counts per alliance', async () => {
    expect(
      await ask({
        name: 'alliance',
        subcommand: 'edit',
        options: { alliance: 'Bears', name: 'Grizzlies', auto: false, priority: 5, results: RESULTS_CHANNEL_ID },
      }),
    ).toBe(
      `Updated alliance **Grizzlies**: Whiteout Survival · state 246 · auto-redeem off · results <#${RESULTS_CHANNEL_ID}> · priority 5.`,
    );
    expect(await alliance('Bears')).toBeNull();
    expect(await ask({ name: 'alliance', subcommand: 'edit', options: { alliance: 'Wolves', name: 'kings' } })).toBe(
      'This server already has an alliance named **Kings**.',
    );
    expect(await ask({ name: 'autoredeem', subcommand: 'off', options: { alliance: 'Kings' } })).toContain(
      'Auto-redeem is **off** for **Kings**',
    );
    expect((await alliance('Kings'))?.autoRedeem).toBe(false);
    expect((await alliance('Wolves'))?.autoRedeem).toBe(true);

    await store().codes.add('wos', 'OLDCODE1', 'cli');
    const list = await h.reply(h.command({ name: 'giftcode', subcommand: 'list' }).token);
    expect(embedOf(list).title).toBe('Gift codes · Whiteout Survival, Kingshot');
    expect(embedOf(list).description).toMatch(/OLDCODE1\*\* · Whiteout Survival · .* · Grizzlies 1\/1 · Wolves 0\/1$/);
    expect(await ask({ name: 'giftcode', subcommand: 'add', options: { code: 'BOTHGAMES' } })).toContain(
      'This server has alliances of both games (Whiteout Survival and Kingshot): say which game the code is for with `game:`',
    );
    expect(await store().codes.get('wos', 'BOTHGAMES')).toBeNull();
  });

  it('/alliance remove asks first; "Keep it" keeps it, "Remove" takes the roster off and keeps the ledger', async () => {
    const ask1 = h.command({ name: 'alliance', subcommand: 'remove', options: { alliance: 'Grizzlies' } });
    const question = await h.reply(ask1.token);
    expect(question).toMatchObject({ ephemeral: true });
    expect(question.content).toBe(
      'Remove alliance **Grizzlies** and take its 1 member off the roster? Who has which code and its past runs are kept.',
    );
    const grizzlies = (await alliance('Grizzlies'))!;
    const click = (customId: string) =>
      h.fake.clickButton({
        guildId: GUILD_ID,
        channelId: COMMANDS_CHANNEL_ID,
        userId: ADMIN_ID,
        customId,
        messageId: question.id,
      });

    const keep = click(`giftbot:alliance-remove:${grizzlies.id}:no`);
    await h.fake.waitFor(() => h.calls(keep.token)[0]?.status === 204);
    expect(h.fake.message(question.id)?.content).toBe('Nothing was removed: **Grizzlies** stays.');
    expect(await alliance('Grizzlies')).not.toBeNull();

    const again = await h.reply(
      h.command({ name: 'alliance', subcommand: 'remove', options: { alliance: 'Grizzlies' } }).token,
    );
    const confirm = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: `giftbot:alliance-remove:${grizzlies.id}:yes`,
      messageId: again.id,
    });
    await h.fake.waitFor(() => h.calls(confirm.token)[0]?.status === 204);
    expect(h.fake.message(again.id)).toMatchObject({
      content:
        'Removed alliance **Grizzlies**: 1 member left the roster. Who has which code and its past runs are kept.',
      components: [],
    });
    expect(await alliance('Grizzlies')).toBeNull();
    expect(await store().members.get(GUILD_ID, '61000001')).toBeNull();
    expect((await store().ledger.get('wos', '61000001', 'OLDCODE1'))?.status).toBe('success');
    expect(await suggestions('')).toEqual(['Wolves', 'Kings']);
  });

  it('the bot removed from a server (GuildDelete): auto-redeem stops there, its data stays', async () => {
    const wombats = (await alliance('Wombats', OTHER_GUILD_ID))!;
    await store().members.add(wombats.id, { fid: '62000001', state: 300 });
    expect(wombats.autoRedeem).toBe(true);
    h.fake.removeBotFromGuild(OTHER_GUILD_ID);
    await h.fake.waitFor(() => h.logs.events('discord.guild_left').length > 0);
    expect(h.logs.events('discord.guild_left')[0]).toMatchObject({ guildId: OTHER_GUILD_ID, autoRedeemStopped: 1 });
    expect(await alliance('Wombats', OTHER_GUILD_ID)).toMatchObject({ autoRedeem: false });
    expect(await store().alliances.list({ autoRedeem: true, guildId: OTHER_GUILD_ID })).toEqual([]);
    expect(await store().members.get(OTHER_GUILD_ID, '62000001')).not.toBeNull();
    // The servers the bot is still in keep theirs.
    expect((await alliance('Wolves'))?.autoRedeem).toBe(true);
  });
});
