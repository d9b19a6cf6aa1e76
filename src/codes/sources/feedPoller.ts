import type { CodeIntake } from '../codeIntake.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { retryDelayMs } from '../../pacing/retryPolicy.ts';
import { takeFeedBody, type FeedBodyIntake, type FeedMemory } from './feedBodyIntake.ts';
import { createFeedFetcher, FeedError, type FeedValidators } from './feedFetcher.ts';
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

/** One feed's state between polls. */
interface FeedState extends FeedMemory {
  source: FeedSource;
  health: FeedHealth;
  failures: number;
  lastError: string | null;
  failingSince: number | null;
  lastOkAt: number | null;
  nextPollAt: number | null;
  polls: number;
  /** ETag / Last-Modified of the last answer taken in whole: the next poll asks whether it changed. */
  validators: FeedValidators;
  timer: NodeJS.Timeout | null;
  inFlight: Promise<void> | null;
}

/** What every feed's polls share. */
interface Poller extends FeedBodyIntake {
  readonly options: FeedPollerOptions;
  readonly random: () => number;
  readonly fetcher: ReturnType<typeof createFeedFetcher>;
  /** Aborted by stop(): ends the fetches in flight and keeps new polls from being scheduled. */
  readonly stopController: AbortController;
}

/**
 * A feed that suddenly lists thousands of codes is broken or hostile: each new code is stored and checked against
 * the game, so only this many are taken per poll (the rest on later polls, with a warn line each time).
 */
export const MAX_NEW_CODES_PER_POLL = 200;

/** Polls the configured code feeds with jitter, conditional requests and backoff; hands new codes to the intake. */
export function createFeedPoller(options: FeedPollerOptions): FeedPoller {
  const poller: Poller = {
    options,
    intake: options.intake,
    log: options.log,
    random: options.random ?? Math.random,
    maxCodesPerPoll: options.maxCodesPerPoll ?? MAX_NEW_CODES_PER_POLL,
    fetcher: createFeedFetcher({ timeoutMs: options.timeoutMs }),
    stopController: new AbortController(),
  };
  const { stopController } = poller;
  let started = false;
  const states = options.feeds.map((source): FeedState => ({
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
  }));

  return {
    start() {
      if (started || stopController.signal.aborted) return;
      started = true;
      for (const state of states) schedule(poller, state, 0);
    },
    async stop() {
      stopController.abort(new Error('feed poller stopped'));
      for (const state of states) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = null;
        state.nextPollAt = null;
      }
      await Promise.allSettled(states.map((state) => state.inFlight));
      await poller.fetcher.close();
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

function intervalMs(poller: Poller): number {
  const { pollMinMs, pollMaxMs } = poller.options;
  return Math.round(pollMinMs + poller.random() * (pollMaxMs - pollMinMs));
}

function backoffMs(poller: Poller, failures: number): number {
  const { backoffMinMs, backoffMaxMs } = poller.options;
  return retryDelayMs(
    { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: backoffMinMs, maxDelayMs: backoffMaxMs },
    failures,
    0,
    poller.random,
  );
}

function schedule(poller: Poller, state: FeedState, delayMs: number): void {
  if (poller.stopController.signal.aborted) return;
  state.nextPollAt = Date.now() + delayMs;
  state.timer = setTimeout(() => {
    state.timer = null;
    state.inFlight = poll(poller, state).finally(() => {
      state.inFlight = null;
    });
  }, delayMs);
}

async function poll(poller: Poller, state: FeedState): Promise<void> {
  const { source } = state;
  const { log } = poller;
  const feed = source.name;
  const started = performance.now();
  state.polls += 1;
  state.nextPollAt = null;
  try {
    const outcome = await poller.fetcher.fetch(source, state.validators, poller.stopController.signal);
    let newCodes = 0;
    let total = state.seen.size;
    if (outcome.changed) {
      const taken = await takeFeedBody(poller, source, state, outcome.body);
      ({ newCodes, total } = taken);
      if (taken.complete) state.validators = outcome.validators;
    }
    const wasFailing = state.health !== 'ok';
    if (wasFailing) {
      log.info(
        {
          event: EVENTS.feedStateChanged,
          feed,
          game: source.game,
          from: state.health,
          to: 'ok',
          failures: state.failures,
          downMs: state.failingSince ? Date.now() - state.failingSince : 0,
        },
        state.health === 'unknown' ? 'code feed answering' : 'code feed answering again',
      );
    }
    state.health = 'ok';
    state.failures = 0;
    state.lastError = null;
    state.failingSince = null;
    state.lastOkAt = Date.now();
    log.debug(
      {
        event: EVENTS.feedPollOk,
        feed,
        changed: outcome.changed,
        codes: total,
        newCodes,
        durationMs: Math.round(performance.now() - started),
      },
      'feed polled',
    );
    poller.options.onPoll?.(feed, outcome.changed ? 'ok' : 'not-modified');
    schedule(poller, state, intervalMs(poller));
  } catch (error) {
    if (poller.stopController.signal.aborted) return;
    pollFailed(poller, state, error);
  }
}

function pollFailed(poller: Poller, state: FeedState, error: unknown): void {
  const { source } = state;
  const feed = source.name;
  const message = error instanceof FeedError ? error.message : String(error);
  const kind = error instanceof FeedError ? error.kind : 'internal';
  state.failures += 1;
  state.lastError = message;
  const delay = backoffMs(poller, state.failures);
  poller.log.debug(
    { event: EVENTS.feedPollFailed, feed, kind, error: message, failures: state.failures, retryInMs: delay },
    'feed poll failed',
  );
  poller.options.onPoll?.(feed, 'failed');
  if (state.health !== 'failing') {
    // Once per outage, not once per poll: the next line about this feed says it answers again.
    poller.log.warn(
      {
        event: EVENTS.feedStateChanged,
        feed,
        game: source.game,
        from: state.health,
        to: 'failing',
        kind,
        error: message,
        retryInMs: delay,
      },
      `code feed failing: ${message}; retrying with backoff`,
    );
    state.health = 'failing';
    state.failingSince = Date.now();
  }
  schedule(poller, state, delay);
}
