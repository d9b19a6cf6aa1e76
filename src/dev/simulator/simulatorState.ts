import { gameInfo, isGame, type Game } from '../../game/games.ts';
import type { FaultInjector } from './faults.ts';
import type { FeedRegistry } from './feeds.ts';
import type { FixedWindowBudget } from './fixedWindowBudget.ts';
import { GiftCodeWorld } from './giftCodeWorld.ts';
import type { Responder } from './responder.ts';
import type { RateLimitSpec, SimulatorCall, SimulatorOptions } from './types.ts';

/** What the request handling (handleRequest.ts, redeemRequest.ts) and the admin API (gameApiSimulator.ts) share. */
export interface SimulatorState {
  /** Each game's players and codes, made on first use. */
  readonly worlds: Map<Game, GiftCodeWorld>;
  readonly faults: FaultInjector;
  readonly feeds: FeedRegistry;
  /** The throttle per client IP and game; null when disabled. Replaced by setRateLimit. */
  budget: FixedWindowBudget | null;
  /** The throttle's spec: which headers it sends and how it spells Retry-After. */
  rateSpec: RateLimitSpec | null;
  /** Minimum gap between two requests for the same (game, fid). */
  readonly playerSpacingMs: number;
  /** Draws each API answer's delay. */
  readonly latency: () => number;
  /** Every request received, in arrival order; resetCalls starts a new array. */
  callLog: SimulatorCall[];
  readonly respond: Responder;
  /** How the game answers for a player it does not know (SimulatorOptions.unknownPlayer). */
  readonly unknownPlayer: SimulatorOptions['unknownPlayer'];
}

export function worldOf(state: SimulatorState, game: Game): GiftCodeWorld {
  if (!isGame(game)) throw new RangeError(`unknown game: ${String(game)}`);
  let world = state.worlds.get(game);
  if (!world)
    state.worlds.set(
      game,
      (world = new GiftCodeWorld(
        gameInfo(game).salt,
        state.unknownPlayer ? { unknownPlayer: state.unknownPlayer } : {},
      )),
    );
  return world;
}
