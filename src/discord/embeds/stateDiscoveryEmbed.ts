import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { formatNumber, t } from '../../i18n/i18n.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../i18n/languages.ts';
import type { CatchUpRun, DiscoverySummary, MemberDiscovery } from '../../members/discoverySummary.ts';
import { COLORS } from './colors.ts';
import { progressBar } from './progressBar.ts';

const SHOWN_MEMBERS = 15;

/** While `/member resolve` searches: members done so far, by outcome. */
export function stateSearchProgressEmbed(
  done: readonly MemberDiscovery[],
  total: number,
  startedAt: number,
  lang: Language = DEFAULT_LANGUAGE,
): APIEmbed {
  const count = (outcome: MemberDiscovery['outcome']) => done.filter((m) => m.outcome === outcome).length;
  const started = `<t:${Math.floor(startedAt / 1000)}:R>`;
  return {
    title: t(lang, 'stateSearch.progressTitle'),
    color: COLORS.progress,
    description: [
      progressBar(done.length, total),
      t(lang, 'stateSearch.progressDone', { done: done.length, total, started }),
      t(lang, 'stateSearch.progressPace'),
    ].join('\n'),
    fields: [
      { name: t(lang, 'stateSearch.found'), value: String(count('found')), inline: true },
      { name: t(lang, 'stateSearch.notFound'), value: String(count('not-found')), inline: true },
      { name: t(lang, 'stateSearch.noSuchPlayer'), value: String(count('no-such-player')), inline: true },
    ],
  };
}

/** The end of a state search: green all found, orange some not, red stopped or refused by the game. */
export function stateSearchSummaryEmbed(summary: DiscoverySummary, lang: Language = DEFAULT_LANGUAGE): APIEmbed {
  const { counts } = summary;
  const stopped = summary.status === 'aborted' || summary.status === 'config-error';
  const color = stopped ? COLORS.error : counts.found === counts.total ? COLORS.success : COLORS.warning;
  const title = stopped
    ? t(lang, 'stateSearch.title.stopped')
    : counts.total === 0
      ? t(lang, 'stateSearch.title.allKnown')
      : t(lang, 'stateSearch.title.found', {
          mark: counts.found === counts.total ? '✅' : '⚠️',
          found: counts.found,
          count: counts.total,
        });
  const lines = summary.members
    .slice(0, SHOWN_MEMBERS)
    .map((m) => `\`${m.fid}\` ${memberResult(m, lang)}${m.name ? ` · ${escapeMarkdown(m.name)}` : ''}`);
  if (summary.members.length > SHOWN_MEMBERS)
    lines.push(t(lang, 'stateSearch.more', { n: summary.members.length - SHOWN_MEMBERS }));
  return {
    title,
    color,
    description: discoverySentence(summary, lang).slice(0, 2000),
    fields: [
      ...(lines.length > 0 ? [{ name: t(lang, 'stateSearch.members'), value: lines.join('\n').slice(0, 1024) }] : []),
      ...summary.catchUp.slice(0, 5).map((run) => ({
        name: t(lang, 'stateSearch.catchUp', { code: run.code }),
        value: catchUpText(run, lang).slice(0, 1024),
      })),
    ],
    footer: {
      text: t(lang, 'stateSearch.footer', {
        probes: summary.probes,
        transient: summary.transient,
        seconds: formatNumber(lang, summary.durationMs / 1000, 1),
      }),
    },
  };
}

/** English shows the search's own sentence (as the CLI prints it); another language one built from the counts. */
function discoverySentence(summary: DiscoverySummary, lang: Language): string {
  if (lang === 'en') return summary.message;
  const { counts } = summary;
  if (counts.total === 0) return t(lang, 'stateSearch.sentence.allKnown');
  return t(lang, 'stateSearch.sentence.result', { ...counts });
}

function catchUpText(run: CatchUpRun, lang: Language): string {
  if (lang === 'en') return run.message;
  return t(lang, 'stateSearch.catchUpCounts', { success: run.success, already: run.already, failed: run.failed });
}

function memberResult(m: MemberDiscovery, lang: Language): string {
  switch (m.outcome) {
    case 'found':
      return m.previousState !== null
        ? t(lang, 'stateSearch.member.foundWas', { state: m.state ?? '?', previous: m.previousState })
        : t(lang, 'stateSearch.member.found', { state: m.state ?? '?' });
    case 'not-found':
      return t(lang, 'stateSearch.member.notFound', { n: m.ruledOut });
    case 'no-such-player':
      return t(lang, 'stateSearch.member.noSuchPlayer');
    default:
      return m.reason
        ? t(lang, 'stateSearch.member.unresolvedReason', { reason: searchWhyText(lang, m) })
        : t(lang, 'stateSearch.member.unresolved');
  }
}

/** Why a member's search ended without a state, in `lang` (the engine's English reason when it gave no key). */
export function searchWhyText(lang: Language, m: Pick<MemberDiscovery, 'reason' | 'why'>): string {
  return m.why ? t(lang, `stateSearch.why.${m.why.key}`, m.why.vars) : (m.reason ?? '');
}
