import type { Client } from 'discord.js';
import { normalizeCode } from '../../game/normalizeCode.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import type { RedeemEngine, RedeemOptions, RunProgress } from '../../redeem/redeemEngine.ts';
import type { RunSummary } from '../../redeem/runSummary.ts';
import type { Store } from '../../store/types.ts';
import { progressEmbed } from '../embeds/progressEmbed.ts';
import { summaryView } from '../embeds/summaryEmbed.ts';
import type { LiveRun, LiveRuns } from './liveRuns.ts';
import { createProgressView, type ProgressView } from './progressView.ts';
import { resultsChannel } from './resultsChannel.ts';

/** Runs nobody watches in an interaction: they report in the alliance's results channel. */
export const CHANNEL_REPORTED_TRIGGERS: ReadonlySet<string> = new Set(['auto', 'rerun', 'resume', 'catch-up']);

/**
 * Whether a run shows in the results channel. Code discovery's one-member check of a new code (trigger `validate`) is
 * not posted: the fan-out's run that follows counts that member as done before it.
 */
export function isChannelReported(options: Pick<RedeemOptions, 'trigger'>): boolean {
  return CHANNEL_REPORTED_TRIGGERS.has(options.trigger);
}

export interface RunHooks {
  onStart: NonNullable<RedeemOptions['onStart']>;
  onProgress: NonNullable<RedeemOptions['onProgress']>;
  /** Posts the summary (when the run started); resolves once Discord has it. Never rejects. */
  finished(summary: RunSummary): Promise<void>;
}

export interface RunReporter {
  /** Hooks that show one run in the guild's results channel: pass onStart/onProgress to the engine, then finished(). */
  hooksFor(guildId: string, code: string, trigger: string): RunHooks;
  /**
   * Makes every run of a channel-reported trigger (auto, rerun, resume, catch-up) show in the results channel. The
   * engine is decorated in place, so the runs it starts itself (a rerun for members added meanwhile) show too. The
   * engine stays free of Discord; callers (the code fan-out) need not know about Discord.
   */
  wrap(engine: RedeemEngine): RedeemEngine;
  /** Resolves when every summary posted so far has reached Discord (shutdown waits for it). */
  idle(): Promise<void>;
}

export interface RunReporterDeps {
  client: Client;
  store: Store;
  log: Logger;
  liveRuns: LiveRuns;
  progressIntervalMs: number;
}

export function createRunReporter(deps: RunReporterDeps): RunReporter {
  const { client, store, log, liveRuns } = deps;
  const posting = new Set<Promise<void>>();

  function hooksFor(guildId: string, rawCode: string, trigger: string): RunHooks {
    const normalized = normalizeCode(rawCode);
    const code = normalized.ok ? normalized.code : rawCode;
    let view: ProgressView | null = null;
    let live: LiveRun | null = null;
    let startedAt = Date.now();
    const context = { guildId, code, trigger };

    return {
      onStart(info) {
        startedAt = Date.now();
        live = liveRuns.claim({ guildId, code, trigger, channelId: null });
        view = createProgressView({
          log,
          intervalMs: deps.progressIntervalMs,
          channel: async () => {
            const channel = await resultsChannel(client, store, guildId);
            // Known before the post is: a /redeem meanwhile can already say where to look.
            if (channel && live) live.channelId = channel.id;
            return channel;
          },
          onWhere: (url, channelId) => {
            if (live) Object.assign(live, { url, channelId });
          },
          context: { ...context, runId: info.runId },
        });
        const first: RunProgress = { runId: info.runId, total: info.total, processed: 0, success: 0, already: 0, failed: 0, retrying: 0 };
        view.update(() => ({ embeds: [progressEmbed(first, { code, trigger, startedAt })], components: [] }));
      },
      onProgress(progress) {
        view?.update(() => ({ embeds: [progressEmbed(progress, { code, trigger, startedAt })], components: [] }));
      },
      async finished(summary) {
        // A run that never started (duplicate, refused, deferred) has nothing to show: it posted nothing either.
        if (!view) return;
        const done = view.finish(summaryView(summary)).finally(() => liveRuns.release(live));
        posting.add(done);
        try {
          await done;
          log.info({ event: EVENTS.discordRunReported, ...context, runId: summary.runId, status: summary.status }, 'run summary posted to the results channel');
        } finally {
          posting.delete(done);
        }
      },
    };
  }

  return {
    hooksFor,
    wrap(engine) {
      const run = engine.processAutoRedeem;
      return Object.assign(engine, {
        async processAutoRedeem(guildId: string, code: string, options: RedeemOptions): Promise<RunSummary> {
          if (!isChannelReported(options)) return run(guildId, code, options);
          const hooks = hooksFor(guildId, code, options.trigger);
          const summary = await run(guildId, code, {
            ...options,
            onStart: (info) => {
              hooks.onStart(info);
              options.onStart?.(info);
            },
            onProgress: (progress) => {
              hooks.onProgress(progress);
              options.onProgress?.(progress);
            },
          });
          // The caller (the fan-out to every alliance) does not wait for Discord.
          void hooks.finished(summary);
          return summary;
        },
      });
    },
    async idle() {
      while (posting.size > 0) await Promise.allSettled(posting);
    },
  };
}
