// Members helping themselves in their own language, with the real discord.js client against the fake Discord, the
// game-API simulator and a real SQLite store, in a server whose preferred locale is French: /me answers speak the
// member's Discord, DMs the locale kept with their link, the approval post the server's, an admin's answer theirs.
import type { StoredMessage } from '@giftbot/fake-discord';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { giftCode } from '../../src/game/giftCode.ts';
import type { AllianceRecord } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';
import {
  ADMIN_ID,
  GUILD_ID,
  RESULTS_CHANNEL_ID,
  embedFields,
  embedOf,
  startBotHarness,
  type BotHarness,
} from '../support/botHarness.ts';

const USERS = { de: '910000000000000301', ru: '910000000000000302', pt: '910000000000000303' };

let h: BotHarness;
let alliance: AllianceRecord;
beforeAll(async () => {
  h = await startBotHarness({ guildLocale: 'fr', dmBatchMs: 100 });
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
    { fid: '70000011', kid: 245 },
    { fid: '70000012', kid: 245 },
    { fid: '70000013', kid: 245 },
  ]);
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const store = () => h.bot.app.store;
const answered = (m: StoredMessage) => !!m.content;

/** A /me command from `userId` whose Discord speaks `locale`; resolves with its private answer. */
async function me(userId: string, locale: string, subcommand: string, options: Record<string, string | number> = {}) {
  const { token } = h.command({ name: 'me', subcommand, userId, locale, options });
  return h.reply(token, (m) => answered(m) || (m.embeds?.length ?? 0) > 0, 20_000);
}

describe('/me in the member’s language', () => {
  it('a German member links privately in German, and later gets the "code redeemed" DM in German', async () => {
    const linked = await me(USERS.de, 'de', 'link', { fid: '70000011', state: 245 });
    expect(linked.ephemeral).toBe(true);
    expect(linked.content).toContain(
      'Erledigt: Du bist mit Spieler 70000011 (Staat 245) verknüpft und stehst in der Liste von Frost.',
    );
    expect((await store().memberLinks.forUser(GUILD_ID, USERS.de))?.locale).toBe('de');

    const notify = await me(USERS.de, 'de', 'notify', { mode: 'on' });
    expect(notify.content).toBe('Du bekommst eine Direktnachricht, wenn ein Code für dich eingelöst wurde.');

    h.sim.addCode('wos', 'HERBST1');
    await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('HERBST1'), { trigger: 'auto' });
    const dm = await h.fake.waitFor(() => h.fake.directMessages(USERS.de).find((m) => m.content?.includes('HERBST1')));
    expect(dm.content).toMatch(
      /^Geschenkcode \*\*HERBST1\*\* wurde für .+ \(70000011\) eingelöst\. Schau in dein Postfach im Spiel\.$/,
    );
  });

  it('a Russian member reads /me status in Russian, with the failure reason in words and what to do', async () => {
    const linked = await me(USERS.ru, 'ru', 'link', { fid: '70000012', state: 245 });
    expect(linked.content).toContain('Готово: вы привязаны к игроку 70000012 (штат 245)');
    h.sim.addCode('wos', 'HIGH2', { minStoveLv: 99 });
    await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('HIGH2'), { trigger: 'auto' });

    const status = await me(USERS.ru, 'ru', 'status');
    expect(status.ephemeral).toBe(true);
    expect(embedOf(status).title).toBe('Ваши подарочные коды');
    const fields = embedFields(status);
    expect(fields['Игрок']).toContain('70000012');
    expect(fields['Альянс']).toBe('Frost');
    expect(fields['Штат']).toBe('245');
    expect(fields['Личные сообщения']).toBe('выключены (`/me notify on`)');
    expect(fields['Последние коды']).toContain(
      '**HIGH2**: не удалось — уровень вашей Печи (центра города) слишком низок для этого кода',
    );
    expect(fields['Что делать']).toContain('коды с требованием уровня сработают, когда вы его достигнете');
  });
});

describe('an approval in a French server', () => {
  it('the request is posted in French, a Spanish admin is answered in Spanish, the member’s DM is Portuguese', async () => {
    await store().alliances.update(alliance.id, { selfJoin: 'approve' });
    const asked = await me(USERS.pt, 'pt-BR', 'link', { fid: '70000013', state: 245 });
    expect(asked.content).toBe(
      'Seu pedido para entrar em Frost como jogador 70000013 foi enviado aos admins. Você vai receber uma mensagem quando ele for decidido.',
    );

    const request = await h.fake.waitFor(() =>
      h.fake
        .channelMessages(RESULTS_CHANNEL_ID)
        .find((m) => !!m.embeds?.length && !!embedOf(m).description?.includes(USERS.pt)),
    );
    expect(embedOf(request).title).toBe("Demande d'adhésion à Frost");
    expect(embedOf(request).description).toBe(
      `<@${USERS.pt}> demande à rejoindre l'alliance en tant que joueur 70000013 (État 245, vérifié auprès du jeu). Un admin décide.`,
    );
    const buttons = (request.components![0] as { components: Array<{ custom_id: string; label: string }> }).components;
    expect(buttons.map((b) => b.label)).toEqual(['Accepter', 'Refuser']);

    const click = h.fake.clickButton({
      guildId: GUILD_ID,
      channelId: RESULTS_CHANNEL_ID,
      userId: ADMIN_ID,
      customId: buttons[0]!.custom_id,
      messageId: request.id,
      locale: 'es-ES',
    });
    const answer = await h.fake.waitFor(() =>
      h.fake.interactionMessages(click.token).find((m) => m.content?.startsWith('Aprobaste')),
    );
    expect(answer).toMatchObject({
      ephemeral: true,
      content: `Aprobaste a <@${USERS.pt}>: el jugador 70000013 está en la lista de Frost.`,
    });
    expect(h.fake.message(request.id)?.content).toBe(
      `<@${USERS.pt}> a rejoint l'alliance en tant que joueur 70000013, accepté par <@${ADMIN_ID}>.`,
    );
    expect(h.fake.message(request.id)?.components).toEqual([]);

    await h.fake.waitFor(() => h.fake.directMessages(USERS.pt).length > 0);
    expect(h.fake.directMessages(USERS.pt).map((m) => m.content)).toEqual([
      'Você foi aprovado: o jogador 70000013 está na lista de Frost.',
    ]);
    // The link keeps the member's locale from the request: later DMs speak it too.
    expect((await store().memberLinks.forUser(GUILD_ID, USERS.pt))?.locale).toBe('pt-BR');
  });
});
