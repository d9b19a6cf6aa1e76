// The run and state-search embeds in a language: German reads German, English is what it was, and a reply or a
// channel post picks its language from the Discord locale or the alliance's setting.
import { describe, expect, it } from 'vitest';
import { progressEmbed } from '../../src/discord/embeds/progressEmbed.ts';
import { searchWhyText, stateSearchSummaryEmbed } from '../../src/discord/embeds/stateDiscoveryEmbed.ts';
import { summaryView } from '../../src/discord/embeds/summaryEmbed.ts';
import { t } from '../../src/i18n/i18n.ts';
import { channelLanguage, replyLanguage } from '../../src/i18n/locale.ts';
import { resolveLanguage } from '../../src/i18n/languages.ts';
import type { DiscoverySummary } from '../../src/members/discoverySummary.ts';
import { describeRun, type RunSummary } from '../../src/redeem/runSummary.ts';

function runSummary(): RunSummary {
  const base = {
    status: 'completed' as const,
    code: 'VIP888',
    counts: { total: 10, success: 6, already: 1, failed: 2, retryExhausted: 1, skipped: 0, notCalled: 0 },
    byReason: { 'failed:furnace-too-low': 1, 'failed:wrong-state': 1, 'retry-exhausted:server-busy': 1 },
  };
  return {
    ...base,
    guildId: '1',
    game: 'wos',
    trigger: 'auto',
    runId: 42,
    fence: 1,
    members: [],
    alliances: [],
    apiCalls: 11,
    rateLimited: 0,
    answersNotRecorded: 0,
    durationMs: 12_345,
    retryAt: null,
    message: describeRun(base),
    codeVerdict: { kind: 'live' },
  };
}

const text = (value: unknown) => JSON.stringify(value);

describe('embeds in German', () => {
  it('a run summary for de is German: title, fields, reasons, footer, button and sentence', () => {
    const view = summaryView(runSummary(), 'de');
    const [embed] = view.embeds;
    expect(embed?.title).toBe('⚠️ VIP888: 3 Mitglieder haben ihn nicht erhalten');
    expect(embed?.fields?.map((f) => f.name)).toEqual([
      '✅ Erfolgreich',
      '☑️ Hatten ihn schon',
      '❌ Fehlgeschlagen',
      '🔁 Später erneut',
      'Warum',
    ]);
    expect(embed?.fields?.at(-1)?.value).toContain('Ofenstufe zu niedrig: **1**');
    expect(embed?.fields?.at(-1)?.value).toContain('falscher Staat: **1**');
    expect(embed?.footer?.text).toBe(
      'Durchlauf #42 · 11 API-Aufrufe · 12,3 s · automatisch für einen neuen Code gestartet',
    );
    expect(embed?.description).toBe('VIP888: bei 7 von 10 Mitgliedern angekommen (neu: 6, schon vorher: 1).');
    expect(view.components[0]?.components[0]).toMatchObject({ label: 'Fehlgeschlagene wiederholen (3)' });
    // No English word left from the English embed.
    for (const english of ['Success', 'Failed', 'members', 'Why', 'Retry', 'started automatically'])
      expect(text(view)).not.toContain(english);
  });

  it('a run refused before counting anything says why in German under a German title', () => {
    const refused: RunSummary = {
      ...runSummary(),
      status: 'refused',
      counts: { total: 0, success: 0, already: 0, failed: 0, retryExhausted: 0, skipped: 0, notCalled: 0 },
      byReason: {},
      message: 'This server has no alliance set up yet (guild 111).',
      why: { key: 'refused.noAlliance', vars: { guildId: '111' } },
    };
    const [embed] = summaryView(refused, 'de').embeds;
    expect(embed?.title).toBe('⛔ VIP888: nicht gestartet');
    expect(embed?.description).toBe('Auf diesem Server ist noch keine Allianz eingerichtet (Server 111).');
    // English keeps the engine's own sentence, as the CLI prints it.
    expect(summaryView(refused, 'en').embeds[0]?.description).toBe(refused.message);
  });

  it('English stays as it was when no language is given', () => {
    expect(summaryView(runSummary())).toEqual(summaryView(runSummary(), 'en'));
    const [embed] = summaryView(runSummary()).embeds;
    expect(embed?.title).toBe('⚠️ VIP888: 3 members did not get it');
    expect(embed?.description).toBe(runSummary().message);
    expect(embed?.footer?.text).toBe('Run #42 · 11 API calls · 12.3 s · started automatically for a new code');
  });

  it('the live progress and a state search summary for de are German', () => {
    const progress = progressEmbed(
      { runId: 7, total: 20, processed: 5, success: 4, already: 1, failed: 0, retrying: 0 },
      { code: 'VIP888', trigger: 'manual', startedAt: 1_700_000_000_000 },
      'de',
    );
    expect(progress.title).toBe('⏳ VIP888 wird eingelöst');
    expect(progress.description).toContain('**5 / 20** Mitglieder bearbeitet · gestartet <t:1700000000:R>');
    expect(progress.footer?.text).toBe('Durchlauf #7 · mit /redeem gestartet');

    const discovery: DiscoverySummary = {
      status: 'completed',
      guildId: '1',
      game: 'wos',
      members: [
        {
          fid: '111',
          name: null,
          outcome: 'found',
          state: 245,
          previousState: 12,
          probes: 3,
          ruledOut: 2,
          candidatesLeft: 0,
          reason: null,
          why: null,
        },
        {
          fid: '222',
          name: null,
          outcome: 'no-such-player',
          state: null,
          previousState: null,
          probes: 1,
          ruledOut: 0,
          candidatesLeft: 0,
          reason: null,
          why: null,
        },
      ],
      counts: { total: 2, found: 1, notFound: 0, noSuchPlayer: 1, unresolved: 0 },
      probes: 4,
      transient: 0,
      rateLimited: 0,
      catchUp: [
        {
          code: 'VIP888',
          status: 'completed',
          success: 1,
          already: 0,
          failed: 0,
          message: 'VIP888: 1 of 1 member have it.',
        },
      ],
      catchUpSkipped: null,
      durationMs: 4_000,
      message: 'Looked up 2 members with 4 probes: 1 found; 1 not a player the game knows (check the id).',
    };
    const summary = stateSearchSummaryEmbed(discovery, 'de');
    expect(summary.title).toBe('⚠️ Staaten gefunden für 1 von 2 Mitgliedern');
    expect(summary.fields?.[0]?.value).toContain('`111` → Staat **245** (vorher 12)');
    expect(summary.fields?.[0]?.value).toContain('ist kein Spieler, den das Spiel kennt');
    expect(summary.fields?.[1]).toEqual({
      name: 'Nachholen VIP888',
      value: '✅ 1 neu · ☑️ 0 hatten ihn schon · ❌ 0 fehlgeschlagen',
    });
    expect(summary.footer?.text).toBe('4 Abfragen · 0 Besetzt-Antworten wiederholt · 4,0 s');
    expect(text(summary)).not.toMatch(/Looked up|members|probes/);
  });

  it("why a member's state search stopped reads in the language; its English is the engine's reason", () => {
    const busy = { key: 'busy', vars: { detail: 'TIMEOUT RETRY.', state: 250 } } as const;
    const english = t('en', `stateSearch.why.${busy.key}`, busy.vars);
    expect(english).toBe('the game was busy (TIMEOUT RETRY.); the next run goes on from state 250');
    expect(searchWhyText('de', { reason: english, why: busy })).toBe(
      'das Spiel war ausgelastet (TIMEOUT RETRY.); der nächste Durchlauf macht bei Staat 250 weiter',
    );
    // A reason the engine gave only as text is shown as it is.
    expect(searchWhyText('de', { reason: 'the search was refused', why: null })).toBe('the search was refused');
  });

  it('Russian uses its plural forms', () => {
    expect(t('ru', 'summary.title.missed', { code: 'X', count: 1 })).toBe('⚠️ X: 1 участник не получил код');
    expect(t('ru', 'summary.title.missed', { code: 'X', count: 3 })).toBe('⚠️ X: 3 участника не получили код');
    expect(t('ru', 'summary.title.missed', { code: 'X', count: 5 })).toBe('⚠️ X: 5 участников не получили код');
  });
});

describe('which language', () => {
  it("a reply uses the person's Discord locale, else English", () => {
    expect(replyLanguage({ locale: 'de' })).toBe('de');
    expect(replyLanguage({ locale: 'es-419' })).toBe('es');
    expect(replyLanguage({ locale: 'es-ES' })).toBe('es');
    expect(replyLanguage({ locale: 'pt-BR' })).toBe('pt-BR');
    expect(replyLanguage({ locale: 'en-GB' })).toBe('en');
    expect(replyLanguage({ locale: 'ja' })).toBe('en');
    expect(resolveLanguage(undefined)).toBe('en');
  });

  it("a channel post uses the alliance's language, else the server's preferred locale, else English", () => {
    expect(channelLanguage('tr', 'de')).toBe('tr');
    expect(channelLanguage(null, 'fr')).toBe('fr');
    expect(channelLanguage(undefined, 'en-US')).toBe('en');
    expect(channelLanguage(null, null)).toBe('en');
  });

  it('a trigger no catalogue knows is shown as it is, in any language', () => {
    expect(
      progressEmbed(
        { runId: 1, total: 1, processed: 0, success: 0, already: 0, failed: 0, retrying: 0 },
        { code: 'A1B2', trigger: 'validate', startedAt: 0 },
        'fr',
      ).footer?.text,
    ).toBe('Passage n° 1 · validate');
  });
});
