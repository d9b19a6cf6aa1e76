import { GAMES, type Game } from '../game/games.ts';
import { parseFeedSources, type FeedSource } from './sources/feedSource.ts';
import { parseTestPlayer, type TestPlayer } from './testPlayer.ts';

/** The settings of code discovery: feeds, their pacing, and the players new codes are checked on. */
export interface DiscoveryConfig {
  feeds: FeedSource[];
  /** Each poll waits a random time between these (jitter, so many bots do not hit a feed together). */
  pollMinMs: number;
  pollMaxMs: number;
  /** After a failed poll: the first wait, doubling up to the cap (jittered). */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Whole-request limit for one feed request (connect, headers and body). */
  feedTimeoutMs: number;
  testPlayers: Partial<Record<Game, TestPlayer>>;
}

type Integer = (key: string, fallback: number, min: number, max: number) => number;

/** Reads the discovery keys with config.ts's helpers, adding every problem to `problems`. */
export function readDiscoveryConfig(
  value: (key: string) => string | undefined,
  integer: Integer,
  problems: string[],
): DiscoveryConfig {
  const { feeds, problems: feedProblems } = parseFeedSources(value('CODE_FEEDS'));
  problems.push(...feedProblems);
  const pollMinMs = integer('FEED_POLL_MIN_MS', 300_000, 200, 86_400_000);
  const pollMaxMs = integer('FEED_POLL_MAX_MS', Math.max(600_000, pollMinMs), 200, 86_400_000);
  if (pollMaxMs < pollMinMs)
    problems.push(`FEED_POLL_MAX_MS (${pollMaxMs}) must not be below FEED_POLL_MIN_MS (${pollMinMs})`);
  const backoffMinMs = integer('FEED_BACKOFF_MIN_MS', 30_000, 100, 3_600_000);
  const backoffMaxMs = integer('FEED_BACKOFF_MAX_MS', Math.max(300_000, backoffMinMs), 100, 86_400_000);
  if (backoffMaxMs < backoffMinMs)
    problems.push(`FEED_BACKOFF_MAX_MS (${backoffMaxMs}) must not be below FEED_BACKOFF_MIN_MS (${backoffMinMs})`);
  const feedTimeoutMs = integer('FEED_TIMEOUT_MS', 15_000, 100, 300_000);
  const testPlayers: Partial<Record<Game, TestPlayer>> = {};
  for (const game of GAMES) {
    const key = `TEST_PLAYER_${game.toUpperCase()}`;
    const { player, problem } = parseTestPlayer(value(key), key);
    if (problem) problems.push(problem);
    if (player) testPlayers[game] = player;
  }
  return { feeds, pollMinMs, pollMaxMs, backoffMinMs, backoffMaxMs, feedTimeoutMs, testPlayers };
}

/** Feed API keys: never in a log line. */
export function discoverySecrets(config: DiscoveryConfig): string[] {
  return config.feeds.flatMap((feed) => (feed.apiKey ? [feed.apiKey] : []));
}
