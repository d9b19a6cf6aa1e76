// Admins manage the roster and the alliance's settings in their own language, with the real discord.js client
// against the fake Discord: a German admin adds, lists and pages through members and reads /autoredeem in German;
// a member without rights is refused in French. An English admin keeps the English texts (test/discord/members).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AllianceRecord } from '../../src/store/types.ts';
import {
  ADMIN_ID,
  COMMANDS_CHANNEL_ID,
  embedFields,
  embedOf,
  GUILD_ID,
  MEMBER_ID,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';
import { addAlliance } from '../support/fixtures.ts';

let h: BotHarness;
let wolves: AllianceRecord;
beforeAll(async () => {
  h = await startBotHarness();
  wolves = await addAlliance(h.bot.app.store, { guildId: GUILD_ID, game: 'wos', defaultState: 245 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

describe("the admin's answers in their language", () => {
  it('locale de: /member add answers in German', async () => {
    const add = h.command({
      name: 'member',
      subcommand: 'add',
      options: { fid: '12345678', name: 'Anna' },
      locale: 'de',
    });
    expect((await h.reply(add.token)).content).toBe(
      'Spieler **12345678** (Anna) hinzugefügt · Staat 245. Die Mitgliederliste hat 1 Mitglied. Alle noch gültigen Codes werden jetzt für sie eingelöst.',
    );
    expect(await h.bot.app.store.members.get(GUILD_ID, '12345678')).toMatchObject({ state: 245, name: 'Anna' });
  });

  it('locale de: /member list and its page buttons read German, in the language of whoever presses', async () => {
    await h.bot.app.store.members.addMany(
      wolves.id,
      Array.from({ length: 19 }, (_, i) => ({ fid: String(70_000_001 + i), state: null, name: null })),
    );
    const list = h.command({ name: 'member', subcommand: 'list', locale: 'de' });
    const page1 = await h.reply(list.token);
    expect(embedOf(page1)).toMatchObject({
      title: 'Mitgliederliste · 20 Mitglieder',
      footer: { text: expect.stringMatching(/^Seite 1 von 2 · ❔ Staat unbekannt/) },
    });
    expect(embedOf(page1).description?.split('\n')[0]).toBe('1. `12345678` · Staat 245 · Anna');
    const labels = (page1.components![0] as { components: Array<{ label: string }> }).components.map((b) => b.label);
    expect(labels).toEqual(['◀ Zurück', 'Weiter ▶']);

    const click = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: COMMANDS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: 'giftbot:members:1:next',
      messageId: page1.id,
      locale: 'de',
    });
    await h.fake.waitFor(() => h.calls(click.token)[0]?.status === 204);
    const page2 = h.fake.message(page1.id);
    expect(embedOf(page2).footer?.text).toMatch(/^Seite 2 von 2 · /);
    expect(embedOf(page2).description?.split('\n')[0]).toBe('16. `70000015` · Staat ? ❔');
  });

  it('locale de: /autoredeem status and off answer in German', async () => {
    const status = h.command({ name: 'autoredeem', subcommand: 'status', locale: 'de' });
    const shown = await h.reply(status.token);
    expect(embedOf(shown).title).toBe('Allianz-Einstellungen');
    expect(embedFields(shown)).toMatchObject({
      'Auto-Einlösen': 'an',
      Staat: '245',
      Mitgliederliste: '20 Mitglieder',
      Ergebniskanal: 'nicht festgelegt (`/alliance channel`)',
      'Admin-Rolle': 'nur Server verwalten',
    });

    const off = h.command({ name: 'autoredeem', subcommand: 'off', locale: 'de' });
    expect((await h.reply(off.token)).content).toBe(
      'Auto-Einlösen ist **aus**: Codes werden nur eingelöst, wenn ein Admin `/redeem` ausführt.',
    );
    expect((await h.bot.app.store.alliances.get(wolves.id))?.autoRedeem).toBe(false);
  });

  it('locale de: /member import lists the bad lines in German and imports nothing', async () => {
    const csv = 'fid,state,name\n80000001,245,Alice\nabc,245,Eve\n80000001,246,Again\n';
    const strict = h.command({
      name: 'member',
      subcommand: 'import',
      options: { file: { attachment: { filename: 'roster.csv', content: csv } } },
      locale: 'de',
    });
    const refused = embedOf(await h.reply(strict.token, (m) => (m.embeds?.length ?? 0) > 0));
    expect(refused.title).toBe('Nichts importiert: 2 fehlerhafte Zeilen');
    expect(refused.description?.split('\n').slice(0, 2)).toEqual([
      'Zeile 3: „abc“ ist keine Spieler-ID (nur Ziffern)',
      'Zeile 4: Spieler 80000001 steht schon in Zeile 2',
    ]);
    expect(refused.description).toContain('`skip_invalid:True`');
    expect(await h.bot.app.store.members.get(GUILD_ID, '80000001')).toBeNull();
  });

  it('locale fr: a member without rights is refused in French, and nothing changes', async () => {
    const refused = h.command({
      name: 'member',
      subcommand: 'add',
      options: { fid: '55555555' },
      userId: MEMBER_ID,
      locale: 'fr',
    });
    expect(await h.reply(refused.token)).toMatchObject({
      ephemeral: true,
      content: "Seuls les membres avec **Gérer le serveur** peuvent utiliser giftbot ici. Rien n'a été fait.",
    });
    expect(await h.bot.app.store.members.get(GUILD_ID, '55555555')).toBeNull();
  });
});
