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
      { event: EVENTS.apiRateLimited, httpStatus: 429, retryAfterMs: answer.rateLimit.retryAfterMs, limit: answer.rateLimit.limit },
      'the game API rate-limited us: pausing every call to this host',
    );
  }
}
