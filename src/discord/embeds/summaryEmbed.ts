import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
} from 'discord.js';
import { reasonText, type RunSummary } from '../../redeem/runSummary.ts';
import { retryButtonId } from '../customIds.ts';
import { COLORS } from './colors.ts';
import { triggerText } from './progressEmbed.ts';

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
  scope: { allianceId?: number; allianceName?: string } = {},
): SummaryView {
  const { counts, byReason } = summary;
  const alreadyFinal = byReason['skipped:already-final'] ?? 0;
  const missed = missedCount(summary);
  const look = headline(summary, missed);

  const fields: NonNullable<APIEmbed['fields']> = [
    { name: '✅ Success', value: String(counts.success), inline: true },
    { name: '☑️ Already had it', value: String(counts.already), inline: true },
    { name: '❌ Failed', value: String(counts.failed), inline: true },
  ];
  // Members whose result for this code was final before this run (got it, or failed for good): not called again.
  if (alreadyFinal > 0) fields.push({ name: '🗂️ Done before this run', value: String(alreadyFinal), inline: true });
  if (counts.retryExhausted > 0)
    fields.push({ name: '🔁 Retry later', value: String(counts.retryExhausted), inline: true });
  if (counts.skipped - alreadyFinal > 0)
    fields.push({ name: '⏭️ Skipped', value: String(counts.skipped - alreadyFinal), inline: true });
  if (counts.notCalled > 0) fields.push({ name: '⏹️ Not called', value: String(counts.notCalled), inline: true });

  const breakdown = Object.entries(byReason)
    .filter(([key]) => key !== 'skipped:already-final')
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => {
      const [outcome = '', ...rest] = key.split(':');
      return `${OUTCOME_MARK[outcome] ?? '•'} ${reasonText(rest.join(':'))}: **${n}**`;
    });
  if (breakdown.length > 0) {
    const shown = breakdown.slice(0, 12);
    if (breakdown.length > shown.length) shown.push(`… and ${breakdown.length - shown.length} more reasons`);
    fields.push({ name: 'Why', value: shown.join('\n').slice(0, 1024) });
  }

  // A run over several alliances (in one reply): each one's tally; each results channel gets its own summary.
  if (summary.alliances.length > 1 && summary.runId !== null) {
    const lines = summary.alliances.map(
      (a) =>
        `**${a.name}**: ${a.counts.success + a.counts.already} of ${a.counts.total} have it${a.counts.failed > 0 ? `, ${a.counts.failed} failed` : ''}`,
    );
    fields.push({ name: 'Alliances', value: lines.join('\n').slice(0, 1024) });
  }

  const footer = [
    summary.runId !== null ? `Run #${summary.runId}` : null,
    `${summary.apiCalls} API call${summary.apiCalls === 1 ? '' : 's'}`,
    `${(summary.durationMs / 1000).toFixed(1)} s`,
    triggerText(summary.trigger),
  ].filter(Boolean);

  const embed: APIEmbed = {
    title: scope.allianceName ? `${look.title} · ${scope.allianceName}` : look.title,
    color: look.color,
    ...(summary.message ? { description: summary.message.slice(0, 4000) } : {}),
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
                label: `Retry failed (${missed})`,
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

function headline(summary: RunSummary, missed: number): { title: string; color: number } {
  const code = summary.code;
  switch (summary.status) {
    case 'completed':
      return missed === 0
        ? { title: `✅ ${code} redeemed for the alliance`, color: COLORS.success }
        : { title: `⚠️ ${code}: ${missed} member${missed === 1 ? '' : 's'} did not get it`, color: COLORS.warning };
    case 'deferred':
      return { title: `⏸️ ${code}: waiting for the lock service`, color: COLORS.warning };
    case 'code-invalid':
      return { title: `⛔ ${code} cannot be redeemed`, color: COLORS.error };
    case 'config-error':
      return { title: `⛔ ${code}: the game refused our requests`, color: COLORS.error };
    case 'aborted':
      return { title: `⛔ ${code}: the run stopped`, color: COLORS.error };
    case 'duplicate':
      return { title: `⏳ ${code} is already being redeemed`, color: COLORS.info };
    case 'refused':
      return { title: `⛔ ${code}: not started`, color: COLORS.error };
    case 'failed':
      return { title: `⛔ ${code}: the run failed`, color: COLORS.error };
  }
}
