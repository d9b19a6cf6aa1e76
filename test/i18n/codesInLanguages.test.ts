// The code commands in the member's language, with the real discord.js client against the fake Discord and the
// simulator: a malformed code, /giftbot status, a code already running, the Retry button, a run the game stopped
// for a dead code, and a member's mistake answered in Turkish.
import type { StoredMessage } from '@giftbot/fake-discord';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  COMMANDS_CHANNEL_ID,
  embedFields,
  embedOf,
  GUILD_ID,
  seedAlliance,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';
import { allianceOf } from '../support/alliances.ts';

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ sim: { latencyMs: 25 } });
  await seedAlliance(h, { count: 6 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const hasEmbed = (m: StoredMessage) => (m.embeds?.length ?? 0) > 0;
const isSummary = (m: StoredMessage) =>
  /eingelöst|nicht erhalten|gestoppt|redeemed|did not get it/.test(embedOf(m).title ?? '') &&
  !/wird eingelöst/.test(embedOf(m).title ?? '');

describe("the code commands in the member's language", () => {
  it('/giftcode add of a malformed code: German for de, and nothing is added', async () => {
    const { token } = h.command({ name: 'giftcode', subcommand: 'add', options: { code: 'AB' }, locale: 'de' });
    const reply = await h.reply(token, (m) => Boolean(m.content));
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(
      'Das ist kein Geschenkcode: „AB“ ist zu kurz für einen Geschenkcode (4 bis 20 Zeichen).',
    );
  });

  it('/giftbot status: a German embed for de', async () => {
    const { token } = h.command({ name: 'giftbot', subcommand: 'status', locale: 'de' });
    const reply = await h.reply(token, hasEmbed);
    expect(embedOf(reply).title).toBe('giftbot-Status');
    const fields = embedFields(reply);
    expect(fields['Ganzer Bot']).toMatch(/Durchläufe? läuft|Durchläufe laufen/);
    expect(fields['Letzte Fehler hier']).toBeDefined();
    expect(embedOf(reply).footer?.text).toMatch(/^Instanz .* · läuft seit /);
  });

  it('/redeem of a code already running: the second admin (de) is told in German where to watch', async () => {
    h.sim.addCode('wos', 'DOPPEL7');
    const first = h.command({ name: 'redeem', options: { code: 'DOPPEL7' } });
    await h.fake.waitFor(() => h.calls(first.token).length > 0);
    const second = h.command({ name: 'redeem', options: { code: 'DOPPEL7' }, locale: 'de' });
    const answer = await h.reply(second.token, (m) => m.ephemeral === true || isSummary(m), 20_000);
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain('**DOPPEL7** wird für diese Allianz bereits eingelöst');
    expect(answer.content).toMatch(/Es wurde kein zweiter Durchlauf gestartet/);
    await h.reply(first.token, isSummary, 20_000);
  });

  it("the Retry button answers in the presser's language: German for de", async () => {
    h.sim.addCode('wos', 'NOCHMAL8');
    // A member without a state is skipped: the summary offers "Retry failed".
    const alliance = await allianceOf(h.bot.app.store, GUILD_ID);
    await h.bot.app.store.members.add(alliance.id, { fid: '60008888', state: null, name: 'no state yet' });
    const run = h.command({ name: 'redeem', options: { code: 'NOCHMAL8' } });
    const summary = await h.reply(run.token, isSummary, 20_000);
    const button = (summary.components![0] as { components: Array<{ custom_id: string }> }).components[0]!;

    // Meanwhile the code expired: retrying cannot help, and the German admin reads why.
    await h.bot.app.store.codes.setStatus('wos', 'NOCHMAL8', 'expired');
    const click = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: button.custom_id,
      messageId: summary.id,
      locale: 'de',
    });
    const answer = await h.reply(click.token);
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toBe('**NOCHMAL8** ist abgelaufen; ein neuer Versuch hilft nicht.');
    await h.bot.app.store.members.remove(GUILD_ID, '60008888');
  });

  it('a run the game stops for an expired code: the summary says why in German', async () => {
    h.sim.addCode('wos', 'ALTCODE1', { status: 'expired' });
    const { token } = h.command({ name: 'redeem', options: { code: 'ALTCODE1' }, locale: 'de' });
    const summary = await h.reply(token, (m) => /kann nicht eingelöst werden/.test(embedOf(m).title ?? ''), 20_000);
    expect(embedOf(summary).title).toBe('⛔ ALTCODE1 kann nicht eingelöst werden');
    expect(embedOf(summary).description).toMatch(
      /^Laut Spiel ist ALTCODE1 abgelaufen \(.*\); der Durchlauf wurde gestoppt/,
    );
    expect(embedOf(summary).description).not.toMatch(/The game says/);

    // The next try is refused before any call, in German too.
    const again = h.command({ name: 'redeem', options: { code: 'ALTCODE1' }, locale: 'de' });
    expect((await h.reply(again.token)).content).toBe(
      '**ALTCODE1** ist abgelaufen; an das Spiel wurde nichts gesendet.',
    );
  });

  it("a member's mistake is answered in Turkish for tr, and stays English in the log", async () => {
    const { token } = h.command({ name: 'redeem', options: { code: 'AB' }, locale: 'tr' });
    const reply = await h.reply(token);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toBe(
      'Bu bir hediye kodu değil: "AB" bir hediye kodu için çok kısa (4 ile 20 karakter arası).',
    );
    await h.fake.waitFor(() =>
      h.logs.lines.some((line) =>
        String(line.userError ?? '').startsWith('That is not a gift code: "AB" is too short'),
      ),
    );
  });
});
