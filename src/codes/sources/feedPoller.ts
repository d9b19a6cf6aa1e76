import type { CodeIntake } from '../codeIntake.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { retryDelayMs } from '../../pacing/retryPolicy.ts';
import { createFeedFetcher, FeedError, type FeedValidators } from './feedFetcher.ts';
import { FeedFormatError, parseFeedBody } from './feedParsers.ts';
import type { FeedSource } from './feedSource.ts';

export type FeedHealth = 'unknown' | 'ok' | 'failing';

export interface FeedStatus {
  name: string;
  game: string;
  health: FeedHealth;
  /** Failed polls in a row. */
  failures: number;
  lastError: string | null;
  lastOkAt: number | null;
  nextPollAt: number | null;
  polls: number;
  /** Codes in the feed's last good answer. */
  codes: number;
}

export interface FeedPollerOptions {
  feeds: readonly FeedSource[];
  intake: Pick<CodeIntake, 'submit'>;
  log: Logger;
  pollMinMs: number;
  pollMaxMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  random?: () => number;
  /** New codes handed to the intake per poll at most (default MAX_NEW_CODES_PER_POLL); the rest wait for later polls. */
  maxCodesPerPoll?: number;
  /** Told about every poll's outcome (the /metrics feed counters); must not throw. */
  onPoll?: (feed: string, outcome: 'ok' | 'not-modified' | 'failed') => void;
}

export interface FeedPoller {
  /** Polls every feed now, then on its interval. */
  start(): void;
  /** Ends every timer and aborts polls in flight; resolves once they have ended. */
  stop(): Promise<void>;
  status(): FeedStatus[];
}

interface FeedState {
  source: FeedSource;
  health: FeedHealth;
  failures: number;
  lastError: string | null;
  failingSince: number | null;
  lastOkAt: number | null;
  nextPollAt: number | null;
  polls: number;
  validators: FeedValidators;
  /** Codes of the last good answer that reached the intake: only codes not in it are submitted. */
  seen: Set<string>;
  /** Malformed entries already warned about (a feed without ETag repeats them every poll). */
  warned: Set<string>;
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
}

/**
 * A feed that suddenly lists thousands of codes is broken or hostile: each new code is stored and checked against
 * the game, so only this many are taken per poll (the rest on later polls, with a warn line each time).
 */
export const MAX_NEW_CODES_PER_POLL = 200;

/** Skipped entries warned about one by one, per feed (and remembered, so not warned again). */
const MAX_SKIP_WARNINGS = 50;

/** Polls the configured code feeds with jitter, conditional requests and backoff; hands new codes to the intake. */
export function createFeedPoller(options: FeedPollerOptions): FeedPoller {
  const { intake, log } = options;
  const random = options.random ?? Math.random;
  const maxCodesPerPoll = options.maxCodesPerPoll ?? MAX_NEW_CODES_PER_POLL;
  const fetcher = createFeedFetcher({ timeoutMs: options.timeoutMs });
  const stopController = new AbortController();
  let started = false;
  const states = options.feeds.map(
    (source): FeedState => ({
      source,
      health: 'unknown',
      failures: 0,
      lastError: null,
      failingSince: null,
      lastOkAt: null,
      nextPollAt: null,
      polls: 0,
      validators: { etag: null, lastModified: null },
      seen: new Set(),
      warned: new Set(),
      timer: null,
      inFlight: null,
    }),
  );

  const intervalMs = () => Math.round(options.pollMinMs + random() * (options.pollMaxMs - options.pollMinMs));
  const backoffMs = (failures: number) =>
    retryDelayMs({ maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: options.backoffMinMs, maxDelayMs: options.backoffMaxMs }, failures, 0, random);

  const schedule = (state: FeedState, delayMs: number) => {
    if (stopController.signal.aborted) return;
    state.nextPollAt = Date.now() + delayMs;
    state.timer = setTimeout(() => {
      state.timer = null;
      state.inFlight = poll(state).finally(() => {
        state.inFlight = null;
      });
    }, delayMs);
  };

  async function poll(state: FeedState): Promise<void> {
    const { source } = state;
    const feed = source.name;
    const started = performance.now();
    state.polls += 1;
    state.nextPollAt = null;
    try {
      const outcome = await fetcher.fetch(source, state.validators, stopController.signal);
      let newCodes = 0;
      let total = state.seen.size;
      if (outcome.changed) {
        let parsed;
        try {
          parsed = parseFeedBody(source.format, outcome.body);
        } catch (error) {
          if (error instanceof FeedFormatError) throw new FeedError('malformed', error.message);
          throw error;
        }
        let unwarned = 0;
        for (const skipped of parsed.skipped) {
          if (state.warned.has(skipped.entry)) continue;
          // A 1 MB body of junk is ~100,000 entries: a few lines say it, the rest are counted in one more.
          if (state.warned.size >= MAX_SKIP_WARNINGS) {
            unwarned += 1;
            continue;
          }
          state.warned.add(skipped.entry);
          log.warn({ event: EVENTS.feedEntrySkipped, feed, game: source.game, entry: skipped.entry, reason: skipped.reason }, 'feed entry skipped: not a code');
        }
        if (unwarned > 0) {
          log.warn({ event: EVENTS.feedEntrySkipped, feed, game: source.game, more: unwarned }, `${unwarned} more feed entries skipped: not codes`);
        }
        const seen = new Set<string>();
        let failed = false;
        let left = 0;
        let offered = 0;
        for (const code of parsed.codes) {
          if (state.seen.has(code)) {
            seen.add(code);
            continue;
          }
          if (offered >= maxCodesPerPoll) {
            // Not marked seen, and the validators are kept: the next poll offers it again.
            left += 1;
            continue;
          }
          offered += 1;
          try {
            await intake.submit({ code, game: source.game, source: `feed:${feed}` });
            seen.add(code);
            newCodes += 1;
          } catch (error) {
            // Not marked seen, and the validators are kept, so the next poll offers the code again.
            failed = true;
            log.error({ event: EVENTS.feedPollFailed, feed, code, err: error }, 'a feed code could not be recorded; it is offered again next poll');
          }
        }
        state.seen = seen;
        total = parsed.codes.length;
        if (left > 0) {
          log.warn(
            { event: EVENTS.feedCodesCapped, feed, game: source.game, codes: total, taken: offered, left, maxPerPoll: maxCodesPerPoll },
            `the feed lists ${left + offered} new codes: took ${offered} this poll, ${left} wait for the next polls`,
          );
        }
        if (!failed && left === 0) state.validators = outcome.validators;
      }
      const wasFailing = state.health !== 'ok';
      if (wasFailing) {
        log.info(
          { event: EVENTS.feedStateChanged, feed, game: source.game, from: state.health, to: 'ok', failures: state.failures, downMs: state.failingSince ? Date.now() - state.failingSince : 0 },
          state.health === 'unknown' ? 'code feed answering' : 'code feed answering again',
        );
      }
      state.health = 'ok';
      state.failures = 0;
      state.lastError = null;
      state.failingSince = null;
      state.lastOkAt = Date.now();
      log.debug({ event: EVENTS.feedPollOk, feed, changed: outcome.changed, codes: total, newCodes, durationMs: Math.round(performance.now() - started) }, 'feed polled');
      options.onPoll?.(feed, outcome.changed ? 'ok' : 'not-modified');
      schedule(state, intervalMs());
    } catch (error) {
      if (stopController.signal.aborted) return;
      const message = error instanceof FeedError ? error.message : String(error);
      const kind = error instanceof FeedError ? error.kind : 'internal';
      state.failures += 1;
      state.lastError = message;
      const delay = backoffMs(state.failures);
      log.debug({ event: EVENTS.feedPollFailed, feed, kind, error: message, failures: state.failures, retryInMs: delay }, 'feed poll failed');
      options.onPoll?.(feed, 'failed');
      if (state.health !== 'failing') {
        // Once per outage, not once per poll: the next line about this feed says it answers again.
        log.warn({ event: EVENTS.feedStateChanged, feed, game: source.game, from: state.health, to: 'failing', kind, error: message, retryInMs: delay }, `code feed failing: ${message}; retrying with backoff`);
        state.health = 'failing';
        state.failingSince = Date.now();
      }
      schedule(state, delay);
    }
  }

  return {
    start() {
      if (started || stopController.signal.aborted) return;
      started = true;
      for (const state of states) schedule(state, 0);
    },
    async stop() {
      stopController.abort(new Error('feed poller stopped'));
      for (const state of states) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = null;
        state.nextPollAt = null;
      }
      await Promise.allSettled(states.map((state) => state.inFlight));
      await fetcher.close();
    },
    status() {
      return states.map((state) => ({
        name: state.source.name,
        game: state.source.game,
        health: state.health,
        failures: state.failures,
        lastError: state.lastError,
        lastOkAt: state.lastOkAt,
        nextPollAt: state.nextPollAt,
        polls: state.polls,
        codes: state.seen.size,
      }));
    },
  };
}
