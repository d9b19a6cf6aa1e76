// Channel posts speak the alliance's language, else the server's preferred locale: real discord.js client against the
// fake Discord (whose server reports French as its preferred locale) and the simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { giftCode } from '../../src/game/giftCode.ts';
import { addAlliance } from '../support/alliances.ts';
import {
  ADMIN_ID,
  embedFields,
  embedOf,
  GUILD_ID,
  RESULTS_CHANNEL_ID,
  seedAlliance,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';

const KURT_CHANNEL_ID = '100000000000009901';

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ guildLocale: 'fr', extraChannels: [{ id: KURT_CHANNEL_ID, name: 'kurtlar-sonuclar' }] });
  await seedAlliance(h, { count: 4 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const posted = (title: string) => () =>
  h.fake.channelMessages(RESULTS_CHANNEL_ID).find((m) => embedOf(m).title === title);

async function autoRun(code: string): Promise<void> {
  h.sim.addCode('wos', code);
  const summary = await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode(code), { trigger: 'auto' });
  expect(summary.status).toBe('completed');
}

describe("an alliance's posts in its language", () => {
  it("without a setting, the results channel reads the server's preferred locale (French here)", async () => {
    await autoRun('LUNE1');
    const summary = await h.fake.waitFor(posted("✅ LUNE1 échangé pour l'alliance"), 15_000);
    expect(embedFields(summary)).toMatchObject({ '✅ Réussi': '4' });
    // The progress message before it was French too (one message, posted then edited).
    const first = h.fake.calls.find(
      (c) => c.method === 'POST' && c.path === `/channels/${RESULTS_CHANNEL_ID}/messages`,
    );
    expect(JSON.stringify(first?.body)).toContain('Échange de LUNE1 en cours');
  });

  it('/alliance edit language: de makes its next posts German; the admin is answered in their own language', async () => {
    const edit = h.command({ name: 'alliance', subcommand: 'edit', options: { language: 'de' }, userId: ADMIN_ID });
    expect((await h.reply(edit.token)).content).toMatch(/^Updated alliance \*\*.+\*\*: .* · posts in Deutsch\.$/);
    await autoRun('MOND2');
    const summary = await h.fake.waitFor(posted('✅ MOND2 für die Allianz eingelöst'), 15_000);
    expect(embedOf(summary).footer?.text).toContain('API-Aufrufe');

    const list = h.command({ name: 'alliance', subcommand: 'list', locale: 'es-419' });
    expect(embedOf(await h.reply(list.token)).description).toContain('· publica en Deutsch');
  });

  it("language: auto gives it back to the server's locale, and says which that is", async () => {
    const edit = h.command({ name: 'alliance', subcommand: 'edit', options: { language: 'auto' }, locale: 'de' });
    expect((await h.reply(edit.token)).content).toContain('· postet in der Sprache des Servers (Français).');
    expect((await h.bot.app.store.alliances.list({ guildId: GUILD_ID }))[0]?.language).toBeNull();
    await autoRun('SOLEIL3');
    await h.fake.waitFor(posted("✅ SOLEIL3 échangé pour l'alliance"), 15_000);
  });

  it("a run over two alliances posts each one's share in its own language", async () => {
    const kurtlar = await addAlliance(h.bot.app.store, {
      guildId: GUILD_ID,
      name: 'Kurtlar',
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
      resultChannelId: KURT_CHANNEL_ID,
      language: 'tr',
    });
    h.sim.addPlayers('wos', [{ fid: '69000001', kid: 245 }]);
    await h.bot.app.store.members.add(kurtlar.id, { fid: '69000001', state: 245 });
    await autoRun('IKI4');
    await h.fake.waitFor(
      () =>
        h.fake
          .channelMessages(KURT_CHANNEL_ID)
          .find((m) => (embedOf(m).title ?? '').startsWith('✅ IKI4 kodu ittifak için kullanıldı')),
      15_000,
    );
    const french = await h.fake.waitFor(
      () =>
        h.fake
          .channelMessages(RESULTS_CHANNEL_ID)
          .find((m) => (embedOf(m).title ?? '').startsWith("✅ IKI4 échangé pour l'alliance")),
      15_000,
    );
    expect(embedFields(french)).toMatchObject({ '✅ Réussi': '4' });
  });
});
