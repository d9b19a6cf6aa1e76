import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  embedFields,
  embedOf,
  GUILD_ID,
  HELPER_ID,
  HELPER_ROLE_ID,
  MEMBER_ID,
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

/** The server's only alliance (what `/alliance setup` made). */
const onlyAlliance = async () => (await h.bot.app.store.alliances.list({ guildId: GUILD_ID }))[0];

describe('setting up an alliance', () => {
  it('commands that need an alliance say so before setup', async () => {
    const inputs: Parameters<BotHarness['command']>[0][] = [
      { name: 'redeem', options: { code: 'VIP888' } },
      { name: 'member', subcommand: 'add', options: { fid: '123456' } },
      { name: 'autoredeem', subcommand: 'status' },
      { name: 'giftcode', subcommand: 'list' },
    ];
    for (const input of inputs) {
      const { token } = h.command(input);
      const reply = await h.reply(token);
      expect(reply).toMatchObject({ ephemeral: true });
      expect(reply.content).toContain('This server has no alliance set up yet. Run `/alliance setup');
    }
    expect(h.sim.calls).toHaveLength(0);
  });

  it('/alliance setup chooses the game and state; another game is refused', async () => {
    const setup = h.command({ name: 'alliance', subcommand: 'setup', options: { game: 'wos', state: 245 } });
    expect((await h.reply(setup.token)).content).toContain(
      'Set up: this server redeems **Whiteout Survival** codes for state **245**; auto-redeem is **on**.',
    );
    expect(await onlyAlliance()).toMatchObject({
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
    });
    const other = h.command({ name: 'alliance', subcommand: 'setup', options: { game: 'kingshot', state: 12 } });
    expect((await h.reply(other.token)).content).toContain(
      'This server already redeems Whiteout Survival codes; one server serves one game.',
    );
    expect((await onlyAlliance())?.game).toBe('wos');
  });

  it('/alliance channel sets the results channel; /autoredeem toggles and shows the settings', async () => {
    const channel = h.command({ name: 'alliance', subcommand: 'channel', options: { results: RESULTS_CHANNEL_ID } });
    expect((await h.reply(channel.token)).content).toBe(`Run progress and summaries go to <#${RESULTS_CHANNEL_ID}>.`);
    const off = h.command({ name: 'autoredeem', subcommand: 'off' });
    expect((await h.reply(off.token)).content).toContain('Auto-redeem is **off**');
    const status = h.command({ name: 'autoredeem', subcommand: 'status' });
    expect(embedFields(await h.reply(status.token))).toMatchObject({
      'Auto-redeem': 'off',
      Game: 'Whiteout Survival',
      State: '245',
      'Results channel': `<#${RESULTS_CHANNEL_ID}>`,
      'Admin role': 'Manage Server only',
    });
    const on = h.command({ name: 'autoredeem', subcommand: 'on' });
    await h.reply(on.token);
    expect((await onlyAlliance())?.autoRedeem).toBe(true);
  });

  it('/alliance adminrole lets a role use giftbot; only Manage Server may change it', async () => {
    const before = h.command({ name: 'giftbot', subcommand: 'status', userId: HELPER_ID });
    expect((await h.reply(before.token)).content).toContain(
      'Only members with **Manage Server** can use giftbot here.',
    );

    const grant = h.command({ name: 'alliance', subcommand: 'adminrole', options: { role: HELPER_ROLE_ID } });
    expect((await h.reply(grant.token)).content).toBe(
      `Members with <@&${HELPER_ROLE_ID}> can now use giftbot here, besides those with Manage Server.`,
    );
    expect(h.calls(grant.token)[0]?.body).toMatchObject({ data: { allowed_mentions: { parse: [] } } }); // the role is shown, never pinged

    const after = h.command({ name: 'giftbot', subcommand: 'status', userId: HELPER_ID });
    expect(embedOf(await h.reply(after.token)).title).toBe('giftbot status');
    const escalate = h.command({ name: 'alliance', subcommand: 'adminrole', userId: HELPER_ID });
    expect((await h.reply(escalate.token)).content).toBe(
      'Only members with **Manage Server** can change the admin role.',
    );
    const plain = h.command({ name: 'member', subcommand: 'list', userId: MEMBER_ID });
    expect((await h.reply(plain.token)).content).toBe(
      `Only members with **Manage Server** or the <@&${HELPER_ROLE_ID}> role can use giftbot here. Nothing was done.`,
    );

    const revoke = h.command({ name: 'alliance', subcommand: 'adminrole' });
    expect((await h.reply(revoke.token)).content).toContain('The admin role is removed');
    const gone = h.command({ name: 'giftbot', subcommand: 'status', userId: HELPER_ID });
    expect((await h.reply(gone.token)).content).toContain('Only members with **Manage Server**');
  });

  it('/giftcode add records a code and redeems it for the alliance (results channel); /giftcode list shows it', async () => {
    await h.bot.app.store.members.add((await onlyAlliance())!.id, { fid: '55500001', state: 245 });
    h.sim.addPlayer('wos', { fid: '55500001', kid: 245 });
    h.sim.addCode('wos', 'FRESH55');
    const add = h.command({ name: 'giftcode', subcommand: 'add', options: { code: 'FRESH55' } });
    // Checked once with the game, then redeemed for every alliance with auto-redeem on (code discovery's one path).
    expect((await h.reply(add.token)).content).toBe(
      `**FRESH55** works: it is being redeemed for every Whiteout Survival alliance with auto-redeem on. Progress for this alliance in <#${RESULTS_CHANNEL_ID}>.`,
    );
    expect(h.calls(add.token)[0]?.body).toMatchObject({ type: 5, data: { flags: 64 } });
    const posted = await h.fake.waitFor(
      () =>
        h.fake
          .channelMessages(RESULTS_CHANNEL_ID)
          .find((m) => embedOf(m).title === '✅ FRESH55 redeemed for the alliance'),
      15_000,
    );
    // The one-member check of the new code is not posted on its own; the fan-out run counts that member as done.
    expect(embedFields(posted)).toMatchObject({ '✅ Success': '0', '🗂️ Done before this run': '1' });
    expect(
      h.fake.channelMessages(RESULTS_CHANNEL_ID).filter((m) => /FRESH55/.test(embedOf(m).title ?? '')),
    ).toHaveLength(1);

    const again = h.command({ name: 'giftcode', subcommand: 'add', options: { code: 'FRESH55' } });
    expect((await h.reply(again.token)).content).toMatch(
      /^\*\*FRESH55\*\* (is already known \(valid\)|is being checked and redeemed right now)/,
    );
    h.sim.addCode('wos', 'DEAD66', { status: 'expired' });
    const dead = h.command({ name: 'giftcode', subcommand: 'add', options: { code: 'DEAD66' } });
    expect((await h.reply(dead.token)).content).toBe('The game says **DEAD66** has expired; no alliance will run it.');
    const bad = h.command({ name: 'giftcode', subcommand: 'add', options: { code: 'NO WAY' } });
    expect((await h.reply(bad.token)).content).toBe(
      'That is not a gift code: "NO WAY" contains a space (U+0020): a gift code is one word without spaces or control characters.',
    );

    const list = h.command({ name: 'giftcode', subcommand: 'list' });
    const shown = await h.reply(list.token);
    expect(embedOf(shown).title).toBe('Gift codes · Whiteout Survival');
    const lines = embedOf(shown).description?.split('\n') ?? [];
    expect(lines).toContainEqual(
      expect.stringMatching(/^🟢 \*\*FRESH55\*\* · valid · added in Discord · <t:\d+:R> · 1\/1 members$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^⌛ \*\*DEAD66\*\* · expired · added in Discord · <t:\d+:R> · 0\/1 members$/),
    );
  });

  it("/giftbot status shows this server's runs, the rate budget and recent errors", async () => {
    const { token } = h.command({ name: 'giftbot', subcommand: 'status' });
    const fields = embedFields(await h.reply(token));
    expect(fields['Runs in progress here (lock holders) · 0']).toBe('none');
    expect(fields['Rate budget']).toMatch(
      /^\*\*Whiteout Survival\*\*, Kingshot: \d+\/60 calls left per 1 s from the default address · this process · 0 rate-limited$/,
    );
    expect(fields['Whole bot']).toBe(
      '0 runs in progress · 0 waiting for the lock · 0 calls queued for the rate budget · 2 servers',
    );
    expect(fields['Redis (several processes)']).toBeUndefined(); // one process, no REDIS_URL
    expect(fields['Last errors here']).toBe('none');
  });
});
