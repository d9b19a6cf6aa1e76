import type { CodeIntake } from '../codeIntake.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { FeedError } from './feedFetcher.ts';
import { FeedFormatError, parseFeedBody } from './feedParsers.ts';
import type { FeedSource } from './feedSource.ts';

/** Skipped entries warned about one by one, per feed (and remembered, so not warned again). */
const MAX_SKIP_WARNINGS = 50;

/** What a feed's intake remembers between polls. */
export interface FeedMemory {
  /** Codes of the last good answer that reached the intake: only codes not in it are submitted. */
  seen: Set<string>;
  /** Malformed entries already warned about (a feed without ETag repeats them every poll). */
  warned: Set<string>;
}

export interface FeedBodyIntake {
  intake: Pick<CodeIntake, 'submit'>;
  log: Logger;
  maxCodesPerPoll: number;
}

/**
 * One changed feed body: parses it, warns about entries that are not codes, and submits the codes not seen before
 * (at most `maxCodesPerPoll`). `complete` is false when a code is left for a later poll (capped or not recorded):
 * then the caller keeps the old validators so the next poll gets the whole body again.
 */
export async function takeFeedBody(
  ctx: FeedBodyIntake,
  source: FeedSource,
  memory: FeedMemory,
  body: string,
): Promise<{ newCodes: number; total: number; complete: boolean }> {
  const { log, maxCodesPerPoll } = ctx;
  const feed = source.name;
  let parsed;
  try {
    parsed = parseFeedBody(source.format, body);
  } catch (error) {
    if (error instanceof FeedFormatError) throw new FeedError('malformed', error.message);
    throw error;
  }
  warnSkipped(log, source, memory, parsed.skipped);
  const seen = new Set<string>();
  let newCodes = 0;
  let failed = false;
  let left = 0;
  let offered = 0;
  for (const code of parsed.codes) {
    if (memory.seen.has(code)) {
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
      await ctx.intake.submit({ code, game: source.game, source: `feed:${feed}` });
      seen.add(code);
      newCodes += 1;
    } catch (error) {
      // Not marked seen, and the validators are kept, so the next poll offers the code again.
      failed = true;
      log.error(
        { event: EVENTS.feedPollFailed, feed, code, err: error },
        'a feed code could not be recorded; it is offered again next poll',
      );
    }
  }
  memory.seen = seen;
  const total = parsed.codes.length;
  if (left > 0) {
    log.warn(
      {
        event: EVENTS.feedCodesCapped,
        feed,
        game: source.game,
        codes: total,
        taken: offered,
        left,
        maxPerPoll: maxCodesPerPoll,
      },
      `the feed lists ${left + offered} new codes: took ${offered} this poll, ${left} wait for the next polls`,
    );
  }
  return { newCodes, total, complete: !failed && left === 0 };
}

function warnSkipped(
  log: Logger,
  source: FeedSource,
  memory: FeedMemory,
  skipped: readonly { entry: string; reason: string }[],
): void {
  let unwarned = 0;
  for (const entry of skipped) {
    if (memory.warned.has(entry.entry)) continue;
    // A 1 MB body of junk is ~100,000 entries: a few lines say it, the rest are counted in one more.
    if (memory.warned.size >= MAX_SKIP_WARNINGS) {
      unwarned += 1;
      continue;
    }
    memory.warned.add(entry.entry);
    log.warn(
      {
        event: EVENTS.feedEntrySkipped,
        feed: source.name,
        game: source.game,
        entry: entry.entry,
        reason: entry.reason,
      },
      'feed entry skipped: not a code',
    );
  }
  if (unwarned > 0) {
    log.warn(
      { event: EVENTS.feedEntrySkipped, feed: source.name, game: source.game, more: unwarned },
      `${unwarned} more feed entries skipped: not codes`,
    );
  }
}
