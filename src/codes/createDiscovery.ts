import type { Client } from 'discord.js';
import { createChannelWatcher, type ChannelWatcher } from './sources/channelWatcher.ts';
import { createFeedPoller, type FeedPoller } from './sources/feedPoller.ts';
import type { FeedSource } from './sources/feedSource.ts';
import { catchUpMember, catchUpMembers, type CatchUpReport } from './catchUp.ts';
import { createCodeIntake, type CodeIntake, type CodeIntakeOptions } from './codeIntake.ts';
import type { CodesDeps } from './codesDeps.ts';
import { resumeOnStartup, type ResumeReport } from './resumeOnStartup.ts';

export interface DiscoveryOptions extends CodeIntakeOptions {
  /** Default: the configured CODE_FEEDS. */
  feeds?: readonly FeedSource[];
  /** Overrides of the configured feed pacing (FEED_POLL_*, FEED_BACKOFF_*, FEED_TIMEOUT_MS). */
  pollMinMs?: number;
  pollMaxMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  feedTimeoutMs?: number;
  /** How long a channel reaction waits for the code's check (default 20 s). */
  verdictWaitMs?: number;
}

export interface Discovery {
  intake: CodeIntake;
  poller: FeedPoller;
  /** Starts polling the feeds (the first poll is immediate). */
  start(): void;
  /** Fan-outs and runs a stop or crash cut short: call once at start-up, before or after start(). */
  resumeOnStartup(): Promise<ResumeReport>;
  /** Listens to every alliance's codes channel on this discord.js client; stopped by stop(). */
  watchChannels(client: Client): ChannelWatcher;
  catchUpMember(guildId: string, fid: string): Promise<CatchUpReport>;
  catchUpMembers(guildId: string, fids: readonly string[]): Promise<CatchUpReport>;
  /**
   * Ends the feed timers, channel listeners and validation waits promptly. Runs already started are stopped by the
   * runtime's own shutdown (core.close()), which should follow.
   */
  stop(): Promise<void>;
}

/** Code discovery, wired: the intake every source feeds, the feed poller, channel watchers, resume and catch-up. */
export function createDiscovery(app: CodesDeps, options: DiscoveryOptions = {}): Discovery {
  const settings = app.config.discovery;
  const intake = createCodeIntake(app, options);
  const poller = createFeedPoller({
    feeds: options.feeds ?? settings.feeds,
    intake,
    log: app.log,
    pollMinMs: options.pollMinMs ?? settings.pollMinMs,
    pollMaxMs: options.pollMaxMs ?? settings.pollMaxMs,
    backoffMinMs: options.backoffMinMs ?? settings.backoffMinMs,
    backoffMaxMs: options.backoffMaxMs ?? settings.backoffMaxMs,
    timeoutMs: options.feedTimeoutMs ?? settings.feedTimeoutMs,
    ...(app.metrics ? { onPoll: app.metrics.feedPolled } : {}),
  });
  const watchers = new Set<ChannelWatcher>();
  return {
    intake,
    poller,
    start: () => poller.start(),
    resumeOnStartup: () => resumeOnStartup(app, intake),
    watchChannels(client) {
      const watcher = createChannelWatcher({
        client,
        store: app.store,
        intake,
        log: app.log,
        ...(options.verdictWaitMs !== undefined ? { verdictWaitMs: options.verdictWaitMs } : {}),
      });
      watchers.add(watcher);
      return watcher;
    },
    catchUpMember: (guildId, fid) => catchUpMember(app, guildId, fid),
    catchUpMembers: (guildId, fids) => catchUpMembers(app, guildId, fids),
    async stop() {
      intake.stop();
      await Promise.all([poller.stop(), ...[...watchers].map((watcher) => watcher.stop())]);
    },
  };
}
