import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
} from 'discord.js';
import { formatNumber, t } from '../../i18n/i18n.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../i18n/languages.ts';
import type { RunSummary } from '../../redeem/runSummary.ts';
import { retryButtonId } from '../customIds.ts';
import { COLORS } from './colors.ts';
import { triggerText } from './progressEmbed.ts';
import { reasonLabel, runSentence } from './runSentence.ts';

export interface SummaryView {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

/** Members who got nothing from this run and might on another try. */
export function missedCount(summary: RunSummary): number {
  const { counts, byReason } = summary;
  return (
    counts.failed + counts.retryExhausted + counts.notCalled + counts.skipped - (byReason['skipped:already-final'] ?? 0)
  );
}

/**
 * The final message of a run: green all good, orange some members missed out, red stopped or impossible. With
 * `allianceId`, the summary is that alliance's share of a run (its title names it, its retry button is its own).
 */
export function summaryView(
  summary: RunSummary,
  lang: Language = DEFAULT_LANGUAGE,
  scope: { allianceId?: number; allianceName?: string } = {},
): SummaryView {
  const { counts, byReason } = summary;
  const alreadyFinal = byReason['skipped:already-final'] ?? 0;
  const missed = missedCount(summary);
  const look = headline(summary, missed, lang);

  const fields: NonNullable<APIEmbed['fields']> = [
    { name: t(lang, 'summary.success'), value: String(counts.success), inline: true },
    { name: t(lang, 'summary.already'), value: String(counts.already), inline: true },
    { name: t(lang, 'summary.failed'), value: String(counts.failed), inline: true },
  ];
  // Members whose result for this code was final before this run (got it, or failed for good): not called again.
  if (alreadyFinal > 0) fields.push({ name: t(lang, 'summary.doneBefore'), value: String(alreadyFinal), inline: true });
  if (counts.retryExhausted > 0)
    fields.push({ name: t(lang, 'summary.retryLater'), value: String(counts.retryExhausted), inline: true });
  if (counts.skipped - alreadyFinal > 0)
    fields.push({ name: t(lang, 'summary.skipped'), value: String(counts.skipped - alreadyFinal), inline: true });
  if (counts.notCalled > 0)
    fields.push({ name: t(lang, 'summary.notCalled'), value: String(counts.notCalled), inline: true });

  const breakdown = Object.entries(byReason)
    .filter(([key]) => key !== 'skipped:already-final')
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => {
      const [outcome = '', ...rest] = key.split(':');
      return `${OUTCOME_MARK[outcome] ?? '•'} ${reasonLabel(rest.join(':'), lang)}: **${n}**`;
    });
  if (breakdown.length > 0) {
    const shown = breakdown.slice(0, 12);
    if (breakdown.length > shown.length)
      shown.push(t(lang, 'summary.moreReasons', { n: breakdown.length - shown.length }));
    fields.push({ name: t(lang, 'summary.why'), value: shown.join('\n').slice(0, 1024) });
  }

  // A run over several alliances (in one reply): each one's tally; each results channel gets its own summary.
  if (summary.alliances.length > 1 && summary.runId !== null) {
    const lines = summary.alliances.map(
      (a) =>
        `**${a.name}**: ${t(lang, 'summary.allianceHave', { have: a.counts.success + a.counts.already, total: a.counts.total })}${a.counts.failed > 0 ? `, ${t(lang, 'summary.allianceFailed', { n: a.counts.failed })}` : ''}`,
    );
    fields.push({ name: t(lang, 'summary.alliances'), value: lines.join('\n').slice(0, 1024) });
  }

  const footer = [
    summary.runId !== null ? t(lang, 'summary.runId', { runId: summary.runId }) : null,
    t(lang, 'summary.apiCalls', { count: summary.apiCalls }),
    t(lang, 'summary.seconds', { seconds: formatNumber(lang, summary.durationMs / 1000, 1) }),
    triggerText(summary.trigger, lang),
  ].filter(Boolean);

  const description = runSentence(summary, lang);
  const embed: APIEmbed = {
    title: scope.allianceName ? `${look.title} · ${scope.allianceName}` : look.title,
    color: look.color,
    ...(description ? { description: description.slice(0, 4000) } : {}),
    fields,
    footer: { text: footer.join(' · ') },
  };
  const retryable = missed > 0 && ['completed', 'aborted', 'config-error'].includes(summary.status);
  return {
    embeds: [embed],
    components: retryable
      ? [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: ButtonStyle.Primary,
                label: t(lang, 'summary.retryButton', { n: missed }),
                custom_id: retryButtonId(summary.code, scope.allianceId),
                emoji: { name: '🔁' },
              },
            ],
          },
        ]
      : [],
  };
}

const OUTCOME_MARK: Record<string, string> = {
  failed: '❌',
  'retry-exhausted': '🔁',
  skipped: '⏭️',
  'not-called': '⏹️',
};

function headline(summary: RunSummary, missed: number, lang: Language): { title: string; color: number } {
  const code = summary.code;
  const title = (key: Parameters<typeof t>[1], vars: Record<string, number> = {}) => t(lang, key, { code, ...vars });
  switch (summary.status) {
    case 'completed':
      return missed === 0
        ? { title: title('summary.title.completed'), color: COLORS.success }
        : { title: title('summary.title.missed', { count: missed }), color: COLORS.warning };
    case 'deferred':
      return { title: title('summary.title.deferred'), color: COLORS.warning };
    case 'code-invalid':
      return { title: title('summary.title.codeInvalid'), color: COLORS.error };
    case 'config-error':
      return { title: title('summary.title.configError'), color: COLORS.error };
    case 'aborted':
      return { title: title('summary.title.aborted'), color: COLORS.error };
    case 'duplicate':
      return { title: title('summary.title.duplicate'), color: COLORS.info };
    case 'refused':
      return { title: title('summary.title.refused'), color: COLORS.error };
    case 'failed':
      return { title: title('summary.title.failed'), color: COLORS.error };
  }
}
