import type { Game } from '../game/games.ts';
import type { RunTrigger } from './redeemOptions.ts';

/**
 * Members the game kept answering "retry later" (TIMEOUT RETRY storms at a code's launch last minutes) are not given
 * up when an automatic run ends: a deferred run for just them comes back with growing delays, for as long as the code
 * is valid (a dead code refuses the run, which ends the retries).
 */
export interface ExhaustedRetryPolicy {
  /** Delay before the first automatic retry run. */
  baseDelayMs: number;
  /** The delay doubles per round up to this. */
  maxDelayMs: number;
}

export const DEFAULT_EXHAUSTED_RETRY: ExhaustedRetryPolicy = { baseDelayMs: 60_000, maxDelayMs: 30 * 60_000 };

/** Runs nobody is watching: their left-over members are retried automatically. Manual ones say "retry" instead. */
const AUTOMATIC: ReadonlySet<RunTrigger> = new Set(['auto', 'validate', 'resume', 'catch-up', 'rerun', 'deferred']);

export function isAutomaticTrigger(trigger: RunTrigger): boolean {
  return AUTOMATIC.has(trigger);
}

/** Round 1 waits the base, each later round twice the one before, capped; ±20 % jitter spreads alliances apart. */
export function exhaustedRetryDelayMs(
  policy: ExhaustedRetryPolicy,
  round: number,
  random: () => number = Math.random,
): number {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(round - 1, 0), 20));
  return Math.round(delay * (0.8 + 0.4 * random()));
}

export interface ExhaustedRetryRequest {
  guildId: string;
  game: Game;
  code: string;
  trigger: RunTrigger;
  fids: readonly string[];
  /** 1 for a run's first automatic retry; a deferred run passes its row's attempt. */
  round: number;
}

/** Records the retry (or, for a deferred run, leaves it to the scheduler) and returns when it will run (epoch ms). */
export type ScheduleExhaustedRetry = (request: ExhaustedRetryRequest) => Promise<number | null>;
