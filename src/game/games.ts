import gamesJson from '../../config/games.json' with { type: 'json' };

export const GAMES = ['wos', 'kingshot'] as const;
export type Game = (typeof GAMES)[number];

export interface GameInfo {
  name: string;
  /** The real API base; config may point a game at another base (the simulator in tests). */
  apiBase: string;
  /** Appended to the sorted parameter string before hashing; both games publish theirs in the web page. */
  salt: string;
  /** The game's gift-code web page, sent as origin/referer like a browser would. */
  site: string;
}

const games: Record<Game, GameInfo> = gamesJson;

export function isGame(value: unknown): value is Game {
  return typeof value === 'string' && (GAMES as readonly string[]).includes(value);
}

export function gameInfo(game: Game): GameInfo {
  return games[game];
}
