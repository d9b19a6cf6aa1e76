import { pacedCall, type PacingDeps } from '../game/pacedCall.ts';
import type { Game } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import type { ActiveRuns } from '../locks/activeRuns.ts';
import { acquireWhenQuiet } from '../members/acquireWhenQuiet.ts';
import { impossibleCode } from '../members/impossibleCode.ts';
import { PRIORITY } from '../pacing/rateBudget.ts';

export interface VerifyDeps extends PacingDeps {
  activeRuns: ActiveRuns;
  shutdownSignal: AbortSignal;
}

/** What one impossible-code probe says about (player, state). */
export type ProbeVerdict =
  /** "code not found": the game accepted the player with this state. */
  | 'right-state'
  /** "user info error": wrong state (or, rarely, an id the game does not know). */
  | 'wrong-state'
  /** "role not exist": no such player. */
  | 'no-such-player'
  /** Busy, throttled, no answer, or stopped: nothing learnt. */
  | 'busy'
  /** The game refused the request as malformed: an operator must look. */
  | 'refused';

/**
 * One probe with an impossible code, at the state search's priority and behind redemptions: no budget slot is taken
 * while a run on the same API host is busy (acquireWhenQuiet), so a member's check never delays a redemption.
 */
export async function verifyPlayer(
  deps: VerifyDeps,
  request: { game: Game; fid: string; kid: number; guildId: string },
): Promise<ProbeVerdict> {
  const budget = deps.budgetFor(request.game);
  const busy = () => deps.activeRuns.list().some((active) => deps.budgetFor(active.game) === budget);
  const result = await pacedCall(deps, {
    game: request.game,
    fid: request.fid,
    kid: request.kid,
    code: impossibleCode(),
    priority: PRIORITY.discovery,
    signal: deps.shutdownSignal,
    abortInFlight: true,
    acquire: (b, slot) => acquireWhenQuiet(b, { ...slot, busy }),
  });
  if (!result.sent) return 'busy';
  const c = result.classification;
  const verdict: ProbeVerdict =
    c.kind === 'retry-later'
      ? 'busy'
      : c.kind === 'config-error'
        ? 'refused'
        : c.kind === 'member-final' && c.reason === 'wrong-state'
          ? 'wrong-state'
          : c.kind === 'member-final' && c.reason === 'no-such-player'
            ? 'no-such-player'
            : 'right-state';
  deps.log.info(
    {
      event: EVENTS.selfServiceProbe,
      guildId: request.guildId,
      game: request.game,
      fid: request.fid,
      kid: request.kid,
      err_code: c.errCode,
      err_msg: c.msg,
      verdict,
    },
    'self-service player check',
  );
  return verdict;
}
