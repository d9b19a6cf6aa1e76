import { t, textOr } from '../../i18n/i18n.ts';
import type { Language } from '../../i18n/languages.ts';
import { clockTime, reasonText, type RunSummary } from '../../redeem/runSummary.ts';

/** A reason code in words (`wrong-state` → "wrong state"), in the catalogue's language when it has the reason. */
export function reasonLabel(reason: string, lang: Language): string {
  return textOr(lang, `reason.${reason}`, reasonText(reason));
}

/**
 * Why a run stopped or did not run, in `lang`: the engine's English `message` for English (or when the engine gave
 * no reason as data), else the catalogue's sentence for the reason.
 */
export function whySentence(summary: Pick<RunSummary, 'message' | 'why'>, lang: Language): string {
  if (lang === 'en' || !summary.why) return summary.message;
  return t(lang, `summary.because.${summary.why.key}`, summary.why.vars);
}

/**
 * The run's result in one sentence for an embed's description. English shows the engine's own sentence (the one the
 * CLI and logs print, with the stop's detail); another language gets the same built from the reason and the counts.
 */
export function runSentence(summary: RunSummary, lang: Language): string {
  if (lang === 'en') return summary.message;
  const { counts, code } = summary;
  const reached = counts.success + counts.already;
  const attempted = counts.total - counts.skipped;
  const notRecorded =
    summary.answersNotRecorded > 0 ? t(lang, 'summary.notRecorded', { count: summary.answersNotRecorded }) : '';
  if (summary.status !== 'completed') {
    const parts = [
      summary.why ? whySentence(summary, lang) : '',
      reached > 0 || counts.notCalled > 0
        ? t(lang, 'summary.sentence.stopped', { reached, notCalled: counts.notCalled })
        : '',
      notRecorded,
    ].filter(Boolean);
    // No reason as data and nothing counted: the engine's English sentence still says why, better than nothing.
    return parts.length > 0 ? parts.join(' ') : summary.message;
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
  const retry =
    summary.retryAt && counts.retryExhausted > 0
      ? t(lang, 'summary.sentence.retryAt', { time: clockTime(summary.retryAt) })
      : '';
  return [sentence, retry, notRecorded].filter(Boolean).join(' ');
}
