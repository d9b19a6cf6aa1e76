import type { APIEmbed } from 'discord.js';
import { t, textOr } from '../../i18n/i18n.ts';
import { DEFAULT_LANGUAGE, type Language } from '../../i18n/languages.ts';
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
export function progressEmbed(progress: RunProgress, meta: ProgressMeta, lang: Language = DEFAULT_LANGUAGE): APIEmbed {
  const started = `<t:${Math.floor(meta.startedAt / 1000)}:R>`;
  return {
    title: t(lang, 'progress.title', { code: meta.code }),
    color: COLORS.progress,
    description: [
      `${progressBar(progress.processed, progress.total)}`,
      t(lang, 'progress.processed', { processed: progress.processed, total: progress.total, started }),
    ].join('\n'),
    fields: [
      { name: t(lang, 'progress.success'), value: String(progress.success), inline: true },
      { name: t(lang, 'progress.already'), value: String(progress.already), inline: true },
      { name: t(lang, 'progress.failed'), value: String(progress.failed), inline: true },
      { name: t(lang, 'progress.retrying'), value: String(progress.retrying), inline: true },
    ],
    footer: { text: t(lang, 'progress.footer', { runId: progress.runId, trigger: triggerText(meta.trigger, lang) }) },
  };
}

/** Why a run started, in words; a trigger the catalogue does not know is shown as it is. */
export function triggerText(trigger: string, lang: Language = DEFAULT_LANGUAGE): string {
  return textOr(lang, `trigger.${trigger}`, trigger);
}
