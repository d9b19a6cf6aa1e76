import type { ApiAnswer } from '../game/apiAnswer.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RateBudget } from './rateBudget.ts';

/**
 * Tells the budget what one answer said (headers, 429 and Retry-After, the round trip), so every caller of the API —
 * runs, code validation, state probes — paces by the server. A 429 is logged once per answer for the operator.
 */
export function reportAnswerToBudget(budget: RateBudget, answer: ApiAnswer, log: Logger): void {
  // No HTTP answer (timeout, refused connection): the server said nothing about the budget.
  if (answer.httpStatus === 0) return;
  budget.observe({ httpStatus: answer.httpStatus, ...answer.rateLimit, durationMs: answer.durationMs });
  if (answer.httpStatus === 429) {
    log.warn(
      {
        event: EVENTS.apiRateLimited,
        httpStatus: 429,
        retryAfterMs: answer.rateLimit.retryAfterMs,
        resetInMs: answer.rateLimit.resetInMs,
        limit: answer.rateLimit.limit,
      },
      answer.rateLimit.retryAfterMs === undefined
        ? 'the game API rate-limited us: pausing every call to this host until its window refills'
        : 'the game API rate-limited us: pausing every call to this host',
    );
  }
  // A pause the server asked for beyond RATE_LIMIT_MAX_PAUSE_MS is cut short: say so, it is not what the server said.
  const asked = answer.rateLimit.retryAfterMs ?? (answer.httpStatus === 429 ? answer.rateLimit.resetInMs : undefined);
  const { maxPauseMs } = budget.snapshot();
  if (asked !== undefined && asked > maxPauseMs) {
    log.warn(
      { event: EVENTS.apiPauseCapped, httpStatus: answer.httpStatus, askedMs: asked, pauseMs: maxPauseMs },
      `the game API asked for a pause of ${formatWait(asked)}; pausing ${formatWait(maxPauseMs)} (RATE_LIMIT_MAX_PAUSE_MS) instead`,
    );
  }
}

/** "45 s", "4 min", "2 h": how long a pause lasts, for people. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
