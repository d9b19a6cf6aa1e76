import type { APIEmbed } from 'discord.js';
import type { RunProgress } from '../../redeem/runSummary.ts';
import { COLORS } from './colors.ts';
import { progressBar } from './progressBar.ts';

export interface ProgressMeta {
  code: string;
  trigger: string;
  /** Epoch ms the run started (shown as a relative Discord timestamp). */
  startedAt: number;
}

/** The live message while a run goes on: edited every few seconds, never more often. */
export function progressEmbed(progress: RunProgress, meta: ProgressMeta): APIEmbed {
  return {
    title: `⏳ Redeeming ${meta.code}`,
    color: COLORS.progress,
    description: [
      `${progressBar(progress.processed, progress.total)}`,
      `**${progress.processed} / ${progress.total}** members processed · started <t:${Math.floor(meta.startedAt / 1000)}:R>`,
    ].join('\n'),
    fields: [
      { name: '✅ Success', value: String(progress.success), inline: true },
      { name: '☑️ Already done', value: String(progress.already), inline: true },
      { name: '❌ Failed', value: String(progress.failed), inline: true },
      { name: '🔁 Retrying', value: String(progress.retrying), inline: true },
    ],
    footer: { text: `Run #${progress.runId} · ${triggerText(meta.trigger)}` },
  };
}

export function triggerText(trigger: string): string {
  switch (trigger) {
    case 'auto':
      return 'started automatically for a new code';
    case 'manual':
      return 'started with /redeem';
    case 'retry':
      return 'retry of the members who missed out';
    case 'rerun':
      return 'follow-up run for members added meanwhile';
    case 'resume':
      return 'resumed after a restart';
    case 'catch-up':
      return 'catch-up for new members';
    default:
      return trigger;
  }
}
