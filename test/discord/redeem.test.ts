import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '@giftbot/fake-discord';
import {
  ADMIN_ID,
  COMMANDS_CHANNEL_ID,
  embedFields,
  embedOf,
  GUILD_ID,
  MEMBER_ID,
  seedAlliance,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';
import { allianceOf } from '../support/alliances.ts';

let h: BotHarness;
let fids: string[];
beforeAll(async () => {
  // Some latency, so a run lasts long enough to show progress.
  h = await startBotHarness({ sim: { latencyMs: 25 } });
  fids = await seedAlliance(h, { count: 24 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const isSummary = (m: StoredMessage) =>
  /redeemed|did not get it|cannot be redeemed|stopped/.test(embedOf(m).title ?? '');
const simCalls = (code: string) => h.sim.calls.filter((c) => c.cdk === code).length;

describe('/redeem', () => {
  it('by an admin: deferred reply, live progress edits, then a green summary whose counts match the game', async () => {
    h.sim.addCode('wos', 'SPRING24');
    const { token } = h.command({ name: 'redeem', options: { code: 'SPRING24' } });
    const summary = await h.reply(token, isSummary, 20_000);

    const calls = h.calls(token);
    expect(calls[0]).toMatchObject({ method: 'POST', body: { type: 5, data: { flags: 0 } } }); // deferReply, public
    const edits = calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'));
    const progressEdits = edits.filter((c) => /Redeeming SPRING24/.test(JSON.stringify(c.body)));
    expect(progressEdits.length).toBeGreaterThanOrEqual(1);
    const lastProgress = (progressEdits.at(-1)!.body as { embeds: Array<{ description: string }> }).embeds[0]
      ?.description;
    expect(lastProgress).toMatch(/▰|▱/);

    const successes = h.sim.successes('wos', 'SPRING24');
    expect(successes.sort()).toEqual([...fids].sort());
    expect(embedOf(summary)).toMatchObject({ title: '✅ SPRING24 redeemed for the alliance', color: 0x57f287 });
    expect(embedFields(summary)).toMatchObject({
      '✅ Success': String(successes.length),
      '☑️ Already had it': '0',
      '❌ Failed': '0',
    });
    expect(embedOf(summary).footer?.text).toContain(`${simCalls('SPRING24')} API calls`);
    expect(summary.components).toEqual([]); // nothing to retry
    expect(summary.ephemeral).toBe(false);
  });

  it('by a member without Manage Server: an ephemeral refusal, no deferral and zero API calls', async () => {
    h.sim.addCode('wos', 'NOPE1');
    const before = h.sim.calls.length;
    const { token } = h.command({ name: 'redeem', options: { code: 'NOPE1' }, userId: MEMBER_ID });
    const reply = await h.reply(token);
    expect(reply).toMatchObject({ ephemeral: true });
    expect(reply.content).toContain('Only members with **Manage Server**');
    expect(h.calls(token)).toHaveLength(1);
    expect(h.calls(token)[0]?.body).toMatchObject({ type: 4, data: { flags: 64 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.sim.calls.length).toBe(before);
    expect(await h.bot.app.store.codes.get('wos', 'NOPE1')).toBeNull();
  });

  it('twice at once: one run, and one ephemeral "already running" answer saying where to watch', async () => {
    h.sim.addCode('wos', 'TWICE2');
    const first = h.command({ name: 'redeem', options: { code: 'TWICE2' } });
    const second = h.command({ name: 'redeem', options: { code: 'TWICE2' } });
    const answers = await Promise.all([
      h.reply(first.token, (m) => isSummary(m) || m.ephemeral, 20_000),
      h.reply(second.token, (m) => isSummary(m) || m.ephemeral, 20_000),
    ]);
    const busy = answers.filter((m) => m.ephemeral);
    const runs = answers.filter((m) => isSummary(m));
    expect(busy).toHaveLength(1);
    expect(runs).toHaveLength(1);
    expect(busy[0]?.content).toContain('**TWICE2** is already being redeemed for this alliance');
    expect(busy[0]?.content).toContain('No second run was started');
    expect(busy[0]?.content).toMatch(
      new RegExp(`Follow it here: http\\S+|Its progress is shown in <#${COMMANDS_CHANNEL_ID}>`),
    );
    // One call per member: the second trigger sent nothing.
    expect(simCalls('TWICE2')).toBe(fids.length);
    expect(embedFields(runs[0])['☑️ Already had it']).toBe('0');
  });

  it('a bad code gets a short ephemeral error and nothing is sent to the game', async () => {
    const before = h.sim.calls.length;
    for (const code of ['AB', 'VIP 888', 'CODE-1!']) {
      const { token } = h.command({ name: 'redeem', options: { code } });
      const reply = await h.reply(token);
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toMatch(/^That is not a gift code: /);
    }
    // A tab or a NUL inside is refused with the reason, not stripped into one code (AB\tCD12 → ABCD12).
    for (const [code, what] of [
      ['AB\tCD12', 'a tab (U+0009)'],
      ['AB\u0000CD12', 'a NUL character (U+0000)'],
    ] as const) {
      const { token } = h.command({ name: 'redeem', options: { code } });
      expect((await h.reply(token)).content).toBe(
        `That is not a gift code: ${JSON.stringify(code)} contains ${what}: a gift code is one word without spaces or control characters.`,
      );
    }
    expect(h.sim.calls.length).toBe(before);
  });

  it('member: runs for that one player; an fid not on the roster is an ephemeral error', async () => {
    h.sim.addCode('wos', 'SOLO7');
    const unknown = h.command({ name: 'redeem', options: { code: 'SOLO7', member: '999999999' } });
    expect((await h.reply(unknown.token)).content).toContain("Player 999999999 is not on this alliance's roster");
    const one = h.command({ name: 'redeem', options: { code: 'SOLO7', member: fids[3]! } });
    const summary = await h.reply(one.token, isSummary, 20_000);
    expect(embedFields(summary)['✅ Success']).toBe('1');
    expect(h.sim.successes('wos', 'SOLO7')).toEqual([fids[3]]);
  });

  it('an expired code: the run stops after one call and the summary is red; a second try is refused ephemerally', async () => {
    h.sim.addCode('wos', 'OLDCODE', { status: 'expired' });
    const { token } = h.command({ name: 'redeem', options: { code: 'OLDCODE' } });
    const summary = await h.reply(token, isSummary, 20_000);
    expect(embedOf(summary)).toMatchObject({ title: '⛔ OLDCODE cannot be redeemed', color: 0xed4245 });
    expect(simCalls('OLDCODE')).toBe(1);
    const again = h.command({ name: 'redeem', options: { code: 'OLDCODE' } });
    const reply = await h.reply(again.token);
    expect(reply).toMatchObject({ ephemeral: true, content: '**OLDCODE** has expired; nothing was sent to the game.' });
    expect(simCalls('OLDCODE')).toBe(1);
  });

  it('"Retry failed" re-runs only the members who missed out, once their problem is fixed', async () => {
    h.sim.addCode('wos', 'RETRY9');
    // Auto-redeem off: fixing the member's state would otherwise give them every live code at once (catch-up).
    const alliance = await allianceOf(h.bot.app.store, GUILD_ID);
    await h.bot.app.store.alliances.update(alliance.id, { autoRedeem: false });
    const late = '60009999';
    h.sim.addPlayer('wos', { fid: late, kid: 245 });
    await h.bot.app.store.members.add(alliance.id, { fid: late, state: null, name: 'no state yet' });
    const { token } = h.command({ name: 'redeem', options: { code: 'RETRY9' } });
    const summary = await h.reply(token, isSummary, 20_000);
    expect(embedOf(summary)).toMatchObject({ title: '⚠️ RETRY9: 1 member did not get it', color: 0xe67e22 });
    expect(embedFields(summary)['⏭️ Skipped']).toBe('1');
    expect(embedFields(summary).Why).toContain('state unknown: **1**');
    const button = (summary.components![0] as { components: Array<{ custom_id: string; label: string }> })
      .components[0];
    expect(button).toMatchObject({ custom_id: 'giftbot:retry:RETRY9', label: 'Retry failed (1)' });

    // A plain member may not click it either.
    const refused = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: MEMBER_ID,
      customId: button!.custom_id,
      messageId: summary.id,
    });
    expect((await h.reply(refused.token)).content).toContain('Only members with **Manage Server**');

    const fix = h.command({ name: 'member', subcommand: 'add', options: { fid: late, state: 245 } });
    await h.reply(fix.token);
    const before = simCalls('RETRY9');
    const retry = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: button!.custom_id,
      messageId: summary.id,
    });
    const second = await h.reply(retry.token, isSummary, 20_000);
    expect(embedOf(second).title).toBe('✅ RETRY9 redeemed for the alliance');
    expect(embedFields(second)['✅ Success']).toBe('1');
    expect(simCalls('RETRY9') - before).toBe(1);
    expect(h.sim.successes('wos', 'RETRY9')).toContain(late);
    await h.bot.app.store.members.remove(GUILD_ID, late);
  });
});
