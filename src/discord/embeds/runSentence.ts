import { t, textOr } from '../../i18n/i18n.ts';
import type { Language } from '../../i18n/languages.ts';
import { clockTime, reasonText, type RunSummary } from '../../redeem/runSummary.ts';

/** A reason code in words (`wrong-state` → "wrong state"), in the catalogue's language when it has the reason. */
export function reasonLabel(reason: string, lang: Language): string {
  return textOr(lang, `reason.${reason}`, reasonText(reason));
}

/**
 * The run's result in one sentence for an embed's description. English shows the engine's own sentence (the one the
 * CLI and logs print, with the stop's detail); another language gets this sentence built from the counts, or the
 * English one when a run that did not complete has no counts to tell.
 */
export function runSentence(summary: RunSummary, lang: Language): string {
  if (lang === 'en') return summary.message;
  const { counts, code } = summary;
  const reached = counts.success + counts.already;
  const attempted = counts.total - counts.skipped;
  if (summary.status !== 'completed') {
    // Nothing counted (refused, duplicate…): the engine's English sentence says why, better than saying nothing.
    return reached > 0 || counts.notCalled > 0
      ? t(lang, 'summary.sentence.stopped', { reached, notCalled: counts.notCalled })
      : summary.message;
  }
  if (attempted === 0) {
    return counts.total === 0
      ? t(lang, 'summary.sentence.noMembers', { code })
      : t(lang, 'summary.sentence.allSkipped', { code, count: counts.total });
  }
  const sentence = t(lang, 'summary.sentence.reached', {
    code,
    reached,
    count: attempted,
    success: counts.success,
    already: counts.already,
  });
  return summary.retryAt && counts.retryExhausted > 0
    ? `${sentence} ${t(lang, 'summary.sentence.retryAt', { time: clockTime(summary.retryAt) })}`
    : sentence;
}
