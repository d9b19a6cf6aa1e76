// A /redeem by an admin whose Discord is in German, with the real discord.js client against the fake Discord and
// the simulator: the live progress and the summary read German; an English admin's run stays English.
import type { StoredMessage } from '@giftbot/fake-discord';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { embedFields, embedOf, seedAlliance, startBotHarness, type BotHarness } from '../support/botHarness.ts';

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ sim: { latencyMs: 25 } });
  await seedAlliance(h, { count: 6 });
});
afterEach(() => h.assertClean());
afterAll(async () => {
  await h?.close();
});

const hasSummary = (m: StoredMessage) =>
  /für die Allianz eingelöst|nicht erhalten|redeemed for the alliance|did not get it/.test(embedOf(m).title ?? '');

describe("/redeem in the member's language", () => {
  it('locale de: German progress and summary, counts matching the game', async () => {
    h.sim.addCode('wos', 'HERBST24');
    const { token } = h.command({ name: 'redeem', options: { code: 'HERBST24' }, locale: 'de' });
    const summary = await h.reply(token, hasSummary, 20_000);

    const progress = h
      .calls(token)
      .filter((c) => c.method === 'PATCH' && /wird eingelöst/.test(JSON.stringify(c.body)));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(progress.at(-1)?.body)).toContain('Mitglieder bearbeitet');

    const successes = h.sim.successes('wos', 'HERBST24').length;
    expect(successes).toBe(6);
    expect(embedOf(summary).title).toBe('✅ HERBST24 für die Allianz eingelöst');
    expect(embedFields(summary)).toMatchObject({
      '✅ Erfolgreich': String(successes),
      '☑️ Hatten ihn schon': '0',
      '❌ Fehlgeschlagen': '0',
    });
    expect(embedOf(summary).footer?.text).toContain('API-Aufrufe');
    expect(embedOf(summary).footer?.text).toContain('mit /redeem gestartet');
  });

  it('locale en-GB: the same run reads English', async () => {
    h.sim.addCode('wos', 'AUTUMN24');
    const { token } = h.command({ name: 'redeem', options: { code: 'AUTUMN24' }, locale: 'en-GB' });
    const summary = await h.reply(token, hasSummary, 20_000);
    expect(embedOf(summary).title).toBe('✅ AUTUMN24 redeemed for the alliance');
  });
});
