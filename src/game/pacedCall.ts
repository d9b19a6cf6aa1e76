import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import type { PlayerSpacing } from '../pacing/playerSpacing.ts';
import type { RateBudget } from '../pacing/rateBudget.ts';
import { reportAnswerToBudget } from '../pacing/reportAnswerToBudget.ts';
import type { ApiAnswer } from './apiAnswer.ts';
import { classifyAnswer, type Classification } from './classifyAnswer.ts';
import type { Game } from './games.ts';
import type { GiftCodeClient } from './giftCodeClient.ts';

/** What every caller of the game API shares: the client, the budget per host, the per-player spacing. */
export interface PacingDeps {
  client: GiftCodeClient;
  budgetFor: (game: Game) => RateBudget;
  spacing: PlayerSpacing;
  log: Logger;
}

export interface PacedCallRequest {
  game: Game;
  fid: string;
  kid: number;
  code: string;
  /** PRIORITY.redeem, .validation or .discovery: who is served first when slots are scarce. */
  priority: number;
  /** Stops the waits (spacing, budget). */
  signal: AbortSignal;
  /**
   * Also aborts the request in flight. Runs leave it unset: a call already sent finishes and is recorded, whatever
   * stops the run (shutdown, lost lock), because the game may have acted on it.
   */
  abortInFlight?: boolean;
  /** The fair-share key among waiters of one priority (one alliance's run). */
  share?: string;
  /** How the budget slot is taken; state probes wait until no redemption is running (acquireWhenQuiet). */
  acquire?: (budget: RateBudget, options: { priority: number; signal: AbortSignal }) => Promise<void>;
  /**
   * Asked right after the slot is granted and again by the HTTP client as it writes the request: false means the
   * call must not go out (a run that lost its lock). Default: always true.
   */
  mayCall?: () => boolean;
  /** Asked once, after the slot and before `mayCall`: a round trip to the lock service (the run's lock still ours?). */
  confirm?: () => Promise<boolean>;
  /** Told once the call is certain to go out (code discovery logs a new code's first-call latency). */
  onCall?: () => void;
}

export type PacedCallResult =
  /** Nothing reached the game: stopped while waiting, or `mayCall` said no. */
  { sent: false; why: 'stopped' | 'refused' } | { sent: true; answer: ApiAnswer; classification: Classification };

const SPACING_KEY = (game: Game, fid: string) => `${game}:${fid}`;

/**
 * Seeds the spacing from the calls the store knows (the answer journal): a process that starts right after another
 * one (or after a restart) keeps the game's per-player gap instead of meeting `TOO FREQUENT.`.
 */
export function seedSpacing(
  spacing: PlayerSpacing,
  calls: readonly { game: Game; fid: string; at: number }[],
  now = Date.now(),
): void {
  for (const call of calls) spacing.seed(SPACING_KEY(call.game, call.fid), now - call.at);
}

/** Milliseconds until this player may be called again (callers that would rather requeue than wait ask first). */
export function spacingWait(spacing: PlayerSpacing, game: Game, fid: string): number {
  return spacing.waitFor(SPACING_KEY(game, fid));
}

/**
 * The one way giftbot calls the game: player spacing → budget slot → last check → redeem → report to the budget →
 * classify. Runs, code validation and state search all go through here, so pacing and the lock check cannot be
 * forgotten by one of them. The slot is taken after the spacing wait and right before sending: a slot granted and
 * then held up would reach the server later than the budget accounted for.
 */
export async function pacedCall(deps: PacingDeps, request: PacedCallRequest): Promise<PacedCallResult> {
  const { game, fid, signal } = request;
  const key = SPACING_KEY(game, fid);
  const budget = deps.budgetFor(game);
  const mayCall = request.mayCall ?? (() => true);
  try {
    for (let wait = deps.spacing.waitFor(key); wait > 0; wait = deps.spacing.waitFor(key))
      await sleep(wait, undefined, { signal });
    if (request.acquire) await request.acquire(budget, { priority: request.priority, signal });
    else
      await budget.acquire({
        priority: request.priority,
        signal,
        ...(request.share !== undefined ? { share: request.share } : {}),
      });
    // While we waited for the slot, another run or probe may have called this player: keep the game's per-player gap.
    const gap = deps.spacing.waitFor(key);
    if (gap > 0) await sleep(gap, undefined, { signal });
    // Shared spacing (Redis): another process may have called this player; wait out its gap, then the call is ours.
    if (deps.spacing.claim)
      for (let left = await deps.spacing.claim(key); left > 0; left = await deps.spacing.claim(key))
        await sleep(left, undefined, { signal });
  } catch {
    return { sent: false, why: 'stopped' };
  }
  if (request.confirm && !(await request.confirm())) return { sent: false, why: 'refused' };
  if (!mayCall()) return { sent: false, why: 'refused' };
  deps.spacing.mark(key);
  request.onCall?.();
  let refused = false;
  const answer = await deps.client.redeem({
    game,
    fid,
    kid: request.kid,
    code: request.code,
    ...(request.abortInFlight ? { signal } : {}),
    // Asked once more at the moment the request is written (after queueing or connecting): a process frozen between
    // the check above and the write must not send after it resumes without its lock.
    beforeSend: () => {
      refused = !mayCall();
      return !refused;
    },
  });
  if (refused) return { sent: false, why: 'refused' };
  reportAnswerToBudget(budget, answer, deps.log);
  return { sent: true, answer, classification: classifyAnswer(answer) };
}
