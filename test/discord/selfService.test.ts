// Issue 16: members help themselves (/me), against the real discord.js client, the fake Discord, the game-API
// simulator and a real SQLite store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '@giftbot/fake-discord';
import { giftCode } from '../../src/game/giftCode.ts';
import type { AllianceRecord } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';
import {
  ADMIN_ID,
  COMMANDS_CHANNEL_ID,
  GUILD_ID,
  MEMBER_ID,
  RESULTS_CHANNEL_ID,
  embedFields,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';

const USERS = {
  unknown: '910000000000000201',
  wrongState: '910000000000000202',
  approve: '910000000000000203',
  spammer: '910000000000000204',
  closed: '910000000000000205',
  fixer: '910000000000000206',
};

let h: BotHarness;
let alliance: AllianceRecord;
beforeAll(async () => {
  h = await startBotHarness({ dmBatchMs: 200, env: { STATE_DISCOVERY_RANGE: '5' } });
  for (const [name, userId] of Object.entries(USERS)) h.fake.addMember(GUILD_ID, { userId, username: name });
  alliance = await addAlliance(h.bot.app.store, {
    guildId: GUILD_ID,
    name: 'Frost',
    game: 'wos',
    defaultState: 245,
    autoRedeem: true,
    resultChannelId: RESULTS_CHANNEL_ID,
  });
  await h.bot.app.store.alliances.update(alliance.id, { selfJoin: 'open' });
  h.sim.addPlayers('wos', [
    { fid: '70000001', kid: 245 },
    { fid: '70000003', kid: 247 },
    { fid: '70000004', kid: 245 },
    { fid: '70000005', kid: 245 },
    { fid: '70000006', kid: 246 },
  ]);
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const store = () => h.bot.app.store;
const roster = async () => (await store().members.list(GUILD_ID)).map((m) => m.fid).sort();
const callsFor = (fid: string) => h.sim.calls.filter((c) => c.fid === fid).length;
const answered = (m: StoredMessage) => !!m.content && !m.content.startsWith('Checking');

function meLink(userId: string, options: Record<string, string | number>) {
  const handle = h.command({ name: 'me', subcommand: 'link', userId, options });
  return { handle, reply: () => h.reply(handle.token, answered, 20_000) };
}

describe('/me link', () => {
  it('a member without Manage Server links a right id and state: added, checked with exactly one probe, privately', async () => {
    const { reply } = meLink(MEMBER_ID, { fid: '70000001', state: 245 });
    const answer = await reply();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain('Done: you are linked to player 70000001 (state 245)');
    expect(await store().members.get(GUILD_ID, '70000001')).toMatchObject({
      allianceId: alliance.id,
      state: 245,
      stateStatus: 'ok',
    });
    expect((await store().memberLinks.forUser(GUILD_ID, MEMBER_ID))?.fid).toBe('70000001');
    expect(callsFor('70000001')).toBe(1);
  });

  it('an unknown id is refused and the roster does not change', async () => {
    const before = await roster();
    const answer = await meLink(USERS.unknown, { fid: '79999999', state: 245 }).reply();
    expect(answer).toMatchObject({ ephemeral: true });
    expect(answer.content).toContain('The game does not know player 79999999');
    expect(await roster()).toEqual(before);
    expect(await store().memberLinks.forUser(GUILD_ID, USERS.unknown)).toBeNull();
  });

  it('a wrong state starts the state search for that player, and the member is told what it found', async () => {
    const { handle, reply } = meLink(USERS.wrongState, { fid: '70000003', state: 244 });
    expect((await reply()).content).toContain('Player 70000003 is not in state 244');
    const told = await h.fake.waitFor(
      () => h.fake.interactionMessages(handle.token).find((m) => m.content?.includes('Found it')),
      30_000,
    );
    expect(told).toMatchObject({ ephemeral: true });
    expect(told.content).toContain('player 70000003 is in state 247');
    expect(await store().members.get(GUILD_ID, '70000003')).toMatchObject({ state: 247, stateStatus: 'ok' });
  });

  it('a player linked to someone else is not taken over; an admin can unlink it', async () => {
    const answer = await meLink(USERS.spammer, { fid: '70000001', state: 245 }).reply();
    expect(answer.content).toContain('already linked to another Discord member');
    const unlink = h.command({ name: 'member', subcommand: 'unlink', options: { fid: '70000001' } });
    expect((await h.reply(unlink.token)).content).toContain('Player 70000001 is no longer linked');
    expect(await store().memberLinks.forPlayer(GUILD_ID, '70000001')).toBeNull();
    // Linked again by its owner for the tests below (listed already: no probe).
    const relink = await meLink(MEMBER_ID, { fid: '70000001' }).reply();
    expect(relink.content).toContain('already on the roster of Frost');
    expect(callsFor('70000001')).toBe(1);
  });

  it('approve mode posts an approval message whose buttons only an admin can press', async () => {
    await store().alliances.update(alliance.id, { selfJoin: 'approve' });
    const answer = await meLink(USERS.approve, { fid: '70000004', state: 245 }).reply();
    expect(answer.content).toContain('was sent to the admins');
    expect(await store().members.get(GUILD_ID, '70000004')).toBeNull();
    const request = await h.fake.waitFor(() =>
      h.fake.channelMessages(RESULTS_CHANNEL_ID).find((m) => m.components?.length),
    );
    const buttons = (request.components![0] as { components: Array<{ custom_id: string; label: string }> }).components;
    expect(buttons.map((b) => b.label)).toEqual(['Approve', 'Reject']);
    const click = (userId: string) =>
      h.fake.clickButton({
        guildId: GUILD_ID,
        channelId: RESULTS_CHANNEL_ID,
        userId,
        customId: buttons[0]!.custom_id,
        messageId: request.id,
      });
    // The member cannot approve themselves.
    const self = click(USERS.approve);
    expect((await h.reply(self.token)).content).toContain('Only members with **Manage Server**');
    expect(await store().members.get(GUILD_ID, '70000004')).toBeNull();
    const admin = click(ADMIN_ID);
    await h.fake.waitFor(() => h.calls(admin.token)[0]?.status === 204);
    expect(h.fake.message(request.id)?.content).toContain('joined as player 70000004');
    expect(h.fake.message(request.id)?.components).toEqual([]);
    expect(await store().members.get(GUILD_ID, '70000004')).toMatchObject({ state: 245, stateStatus: 'ok' });
    expect((await store().memberLinks.forUser(GUILD_ID, USERS.approve))?.fid).toBe('70000004');
    await h.fake.waitFor(() => h.fake.directMessages(USERS.approve).length > 0);
    expect(h.fake.directMessages(USERS.approve).map((m) => m.content)).toEqual([
      'You were approved: player 70000004 is on the roster of Frost.',
    ]);
    await store().alliances.update(alliance.id, { selfJoin: 'open' });
  });

  it('off mode refuses with a clear text (an admin turns it off with /alliance edit self_join:)', async () => {
    const edit = h.command({ name: 'alliance', subcommand: 'edit', options: { self_join: 'off' } });
    expect((await h.reply(edit.token)).content).toContain('/me link is off');
    expect((await store().alliances.get(alliance.id))?.selfJoin).toBe('off');
    const answer = await meLink(USERS.closed, { fid: '70000005', state: 245 }).reply();
    expect(answer.content).toContain('Frost does not take members through `/me link`');
    expect(callsFor('70000005')).toBe(0);
    await store().alliances.update(alliance.id, { selfJoin: 'open' });
  });
  it('a member whose listed player has a refused state fixes it with one check, and gets the codes missed', async () => {
    await store().members.add(alliance.id, { fid: '70000006', state: 250 });
    await store().members.setState(GUILD_ID, '70000006', 250, 'wrong');
    const answer = await meLink(USERS.fixer, { fid: '70000006', state: 246 }).reply();
    expect(answer.content).toContain('Done: player 70000006 is in state 246, checked with the game');
    expect(await store().members.get(GUILD_ID, '70000006')).toMatchObject({ state: 246, stateStatus: 'ok' });
    expect((await store().memberLinks.forUser(GUILD_ID, USERS.fixer))?.fid).toBe('70000006');
    expect(callsFor('70000006')).toBe(1);
  });
});

describe('/me status and /me notify', () => {
  it("/me status shows the member's real results and what to do about a failure", async () => {
    h.sim.addCode('wos', 'GOOD1');
    h.sim.addCode('wos', 'HIGH2', { minStoveLv: 99 });
    await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('GOOD1'), { trigger: 'auto' });
    await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('HIGH2'), { trigger: 'auto' });
    const status = h.command({ name: 'me', subcommand: 'status', userId: MEMBER_ID });
    const shown = await h.reply(status.token);
    expect(shown.ephemeral).toBe(true);
    const fields = embedFields(shown);
    expect(fields.Player).toBe('70000001');
    expect(fields.Alliance).toBe('Frost');
    expect(fields.State).toBe('245');
    expect(fields['Recent codes']).toContain('**GOOD1**: received');
    expect(fields['Recent codes']).toContain('**HIGH2**: failed — your furnace (town centre) level is too low');
    expect(fields['What to do']).toContain('codes with a level requirement work once you reach it');
  });

  it('notify on: one DM per code redeemed, none for members who did not opt in; closed DMs are noted once', async () => {
    const on = h.command({ name: 'me', subcommand: 'notify', userId: MEMBER_ID, options: { mode: 'on' } });
    expect((await h.reply(on.token)).content).toContain('You will get a direct message');
    // A linked member with DMs closed, who asked for them.
    await store().members.add(alliance.id, { fid: '70000005', state: 245 });
    await store().memberLinks.link({ guildId: GUILD_ID, game: 'wos', fid: '70000005', userId: USERS.closed });
    await store().memberLinks.setNotify(GUILD_ID, USERS.closed, true);
    h.fake.closeDirectMessages(USERS.closed);
    const approvedDms = h.fake.directMessages(USERS.approve).length;

    for (const code of ['DMCODE1', 'DMCODE2']) {
      h.sim.addCode('wos', code);
      await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode(code), { trigger: 'auto' });
      await h.fake.waitFor(() => h.fake.directMessages(MEMBER_ID).find((m) => m.content?.includes(code)));
    }
    expect(h.fake.directMessages(MEMBER_ID).map((m) => m.content)).toEqual([
      'Gift code **DMCODE1** was redeemed for your player (70000001). Check your in-game mail.',
      'Gift code **DMCODE2** was redeemed for your player (70000001). Check your in-game mail.',
    ]);
    // 70000004 got both codes too, but did not ask for DMs.
    expect(h.fake.directMessages(USERS.approve)).toHaveLength(approvedDms);
    await h.fake.waitFor(() => h.logs.events('self.dm_closed').length > 0);
    expect(h.logs.events('self.dm_closed')).toHaveLength(1);
    expect((await store().memberLinks.forUser(GUILD_ID, USERS.closed))?.dmClosedAt).not.toBeNull();
  });
});

describe('self-service never slows a redemption down', () => {
  it('a member spamming /me link is refused after 3 checks an hour, and the run still calls every member', async () => {
    const fids = Array.from({ length: 20 }, (_, i) => String(71_000_001 + i));
    h.sim.addPlayers(
      'wos',
      fids.map((fid) => ({ fid, kid: 245 })),
    );
    await store().members.addMany(
      alliance.id,
      fids.map((fid) => ({ fid, state: 245 })),
    );
    h.sim.addCode('wos', 'QUIET1');
    h.sim.addCode('wos', 'NOISY2');
    const quiet = await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('QUIET1'), { trigger: 'auto' });

    const run = h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('NOISY2'), { trigger: 'auto' });
    await h.fake.waitFor(() => h.bot.app.activeRuns.list().length === 1);
    const spam = Array.from({ length: 6 }, (_, i) =>
      meLink(USERS.spammer, { fid: String(78_000_001 + i), state: 245 }),
    );
    const noisy = await run;
    const answers = await Promise.all(spam.map((s) => s.reply()));
    console.log(
      `run of ${fids.length + 4} members: ${quiet.durationMs} ms alone, ${noisy.durationMs} ms with 6 /me link from one member`,
    );
    expect(noisy.counts.success).toBe(quiet.counts.success);
    expect(h.sim.calls.filter((c) => c.cdk === 'NOISY2').length).toBe(
      h.sim.calls.filter((c) => c.cdk === 'QUIET1').length,
    );
    const slowed = answers.filter((a) => a.content?.includes('Try again in'));
    expect(slowed).toHaveLength(3);
    expect(slowed[0]?.content).toContain('You have checked 3 player ids in the last hour');
    // Only the three allowed checks reached the game, and only once the run had made its last call.
    const probes = h.sim.calls.filter((c) => c.fid?.startsWith('78000'));
    expect(probes).toHaveLength(3);
    const lastRunCall = Math.max(...h.sim.calls.filter((c) => c.cdk === 'NOISY2').map((c) => c.atMono));
    expect(probes.every((c) => c.atMono > lastRunCall)).toBe(true);
  });
});

describe('/giftcode history', () => {
  it('the CSV matches the ledger row for row', async () => {
    const history = h.command({ name: 'giftcode', subcommand: 'history', options: { code: 'NOISY2' } });
    const answer = await h.reply(history.token, (m) => m.attachments.length > 0);
    expect(answer.ephemeral).toBe(true);
    const [header, ...lines] = answer.attachments[0]!.content.trim().split('\n');
    expect(header).toBe('code,player,name,alliance,status,reason,err_code,answer,time');
    const ledger = (await store().ledger.listForCode('wos', 'NOISY2')).sort((a, b) => a.fid.localeCompare(b.fid));
    expect(
      lines.map((line) =>
        line
          .split(',')
          .slice(0, 8)
          .filter((_, i) => i !== 2),
      ),
    ).toEqual(
      ledger.map((row) => [
        'NOISY2',
        row.fid,
        'Frost',
        row.status,
        row.reason ?? '',
        String(row.errCode ?? ''),
        row.msg ?? '',
      ]),
    );
    const unknown = h.command({ name: 'giftcode', subcommand: 'history', options: { code: 'NEVERSEEN' } });
    expect((await h.reply(unknown.token)).content).toBe('giftbot has never seen the code NEVERSEEN.');
  });
});

describe('a server with several alliances', () => {
  it('/me link offers the alliance names to any member and asks for one when the player is new', async () => {
    await addAlliance(store(), { guildId: GUILD_ID, name: 'Ember', game: 'wos', defaultState: 245 });
    const { token } = h.fake.sendAutocomplete({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: USERS.unknown,
      name: 'me',
      subcommand: 'link',
      focused: 'alliance',
      typed: '',
    });
    const choices = await h.fake.waitFor(() => h.fake.autocompleteChoices(token));
    expect(choices.map((c) => c.value)).toEqual(['Frost', 'Ember']);
    const answer = await meLink(USERS.unknown, { fid: '70000009', state: 245 }).reply();
    expect(answer.content).toBe('This server has several alliances: name yours with `alliance:` (Frost, Ember).');
  });
});
