import { EVENTS } from '../log/events.ts';
import { runScript } from '../redis/scripts.ts';
import { BUDGET_PAUSE_SCRIPT } from './budgetScripts.ts';
import { pauseRequest, type BudgetFeedback, type PauseReason } from './rateBudget.ts';
import { enterDegraded } from './redisBudgetPump.ts';
import type { RedisBudgetState } from './redisBudgetState.ts';

/** What one answer said, shared with every process: a pause after a 429 or a spent window, a lower announced limit. */
export function observeFeedback(state: RedisBudgetState, feedback: BudgetFeedback): void {
  if (state.closed) return;
  const request = pauseRequest(feedback);
  if (feedback.httpStatus === 429) state.rateLimitedCount += 1;
  if (request) {
    if (feedback.httpStatus === 429 || request.reason === 'retry-after') {
      state.log.warn(
        {
          event: EVENTS.apiRateLimited,
          budget: state.key,
          httpStatus: feedback.httpStatus,
          pauseMs: request.ms === null ? null : Math.min(state.maxPauseMs, request.ms),
          pauseReason: request.reason,
        },
        'rate limited by the server; pausing every process that shares this budget',
      );
    }
    pauseAll(state, request.ms, request.reason, feedback.httpStatus);
  }
  if (feedback.limit !== undefined && Number.isFinite(feedback.limit) && feedback.limit >= 1) {
    writeAnnouncedLimit(state, Math.floor(feedback.limit));
  }
}

function writeAnnouncedLimit(state: RedisBudgetState, limit: number): void {
  const now = performance.now();
  if (state.announcedLimit === limit && now - state.announcedAt < state.limitTtlMs / 2) return;
  const previous = state.announcedLimit ?? state.configuredLimit;
  state.announcedLimit = limit;
  state.announcedAt = now;
  state.knownLimit = Math.min(state.configuredLimit, limit);
  if (Math.min(state.configuredLimit, previous) !== state.knownLimit) {
    state.log.info(
      { event: EVENTS.apiBudgetAdjusted, budget: state.key, limit: state.knownLimit, announced: limit },
      'rate budget follows the server’s announced limit',
    );
  }
  if (state.degraded) return;
  state.redis.set(state.keys.limit, String(limit), 'PX', state.limitTtlMs).catch((err: unknown) => {
    state.announcedLimit = undefined;
    enterDegraded(state, err);
  });
}

/** Pauses every process: for `ms` (capped), or until the game's window refills when `ms` is null. */
function pauseAll(
  state: RedisBudgetState,
  ms: number | null,
  reason: PauseReason,
  httpStatus: number | undefined,
): void {
  const { windowMs, marginMs, maxPauseMs } = state;
  const localMs = Math.min(maxPauseMs, ms ?? windowMs + marginMs);
  // On the monotonic clock: a step of the wall clock must neither stretch the pause nor end it early (429s).
  const setLocal = (until: number): void => {
    if (until > state.pausedUntil) {
      state.pausedUntil = until;
      state.pauseReason = reason;
    }
    // The fallback must know too, in case Redis fails while the pause lasts.
    const forward: BudgetFeedback = { retryAfterMs: Math.max(1, Math.ceil(until - performance.now())) };
    if (httpStatus !== undefined) forward.httpStatus = httpStatus;
    state.fallback.observe(forward);
  };
  // Our own pause holds at once when the length is known; a refill time is computed where the window is known.
  if (ms !== null || state.degraded) setLocal(performance.now() + localMs);
  if (state.degraded) return;
  runScript(
    state.redis,
    BUDGET_PAUSE_SCRIPT,
    [state.keys.pause, state.keys.fixed],
    [ms === null ? -1 : Math.ceil(ms), marginMs, windowMs, maxPauseMs],
  )
    .then((reply) => {
      if (!Array.isArray(reply)) return;
      const [serverNow, until] = [Number(reply[0]), Number(reply[1])];
      if (Number.isFinite(serverNow) && Number.isFinite(until) && until > serverNow)
        setLocal(performance.now() + (until - serverNow));
    })
    .catch((err: unknown) => {
      setLocal(performance.now() + localMs);
      enterDegraded(state, err);
    });
}
