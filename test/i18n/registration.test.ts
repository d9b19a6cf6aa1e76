// Registration with the real discord.js client against the fake Discord: what the server holds carries every
// language's names and descriptions, while the commands' own names stay the English ones admins type.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GUILD_ID, startBotHarness, type BotHarness } from '../support/botHarness.ts';

interface Registered {
  name: string;
  name_localizations?: Record<string, string> | null;
  description_localizations?: Record<string, string> | null;
  options?: Registered[];
  choices?: Registered[];
}

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness();
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

describe('localised command registration', () => {
  it('every registered command, subcommand, option and choice carries the languages', () => {
    const registered = h.fake.registeredCommands(GUILD_ID) as Registered[];
    expect(registered.map((c) => c.name)).toContain('redeem');
    const redeem = registered.find((c) => c.name === 'redeem');
    expect(redeem?.description_localizations).toMatchObject({
      de: 'Geschenkcode jetzt für alle Allianzen seines Spiels hier einlösen (oder eine Allianz, ein Mitglied)',
      fr: expect.stringContaining('code cadeau'),
      'es-ES': expect.stringContaining('Canjear'),
      'es-419': expect.stringContaining('Canjear'),
      'pt-BR': expect.stringContaining('Resgatar'),
      tr: expect.stringContaining('hediye kodu'),
      ru: expect.stringContaining('подарочный код'),
    });
    const setup = registered.find((c) => c.name === 'alliance')?.options?.find((o) => o.name === 'setup');
    const state = setup?.options?.find((o) => o.name === 'state');
    expect(state?.description_localizations?.de).toBe('Die Staatsnummer der Allianz');
    expect(state?.name_localizations?.de).toBe('state');
    const game = setup?.options?.find((o) => o.name === 'game');
    expect(game?.choices?.[0]?.name_localizations?.ru).toBe('Whiteout Survival');

    const walk = (list: Registered[]): Registered[] =>
      list.flatMap((item) => [item, ...walk(item.options ?? []), ...walk(item.choices ?? [])]);
    const missing = walk(registered).filter((item) => Object.keys(item.name_localizations ?? {}).length !== 7);
    expect(missing.map((item) => item.name)).toEqual([]);
  });
});
