import type { Client } from 'discord.js';
import type { Language } from '../../i18n/languages.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import type { RunListener, RunStart } from '../../redeem/runListener.ts';
import { allianceShare, type RunProgress, type RunSummary } from '../../redeem/runSummary.ts';
import type { Store } from '../../store/types.ts';
import { progressEmbed } from '../embeds/progressEmbed.ts';
import { summaryView } from '../embeds/summaryEmbed.ts';
import type { LiveRun, LiveRuns } from './liveRuns.ts';
import { postLanguage } from '../postLanguage.ts';
import { createProgressView, type ProgressView } from './progressView.ts';
import { resultsChannel } from './resultsChannel.ts';

/** Runs nobody watches in an interaction: they report in the alliance's results channel. */
export const CHANNEL_REPORTED_TRIGGERS: ReadonlySet<string> = new Set(['auto', 'rerun', 'resume', 'catch-up']);

/**
 * Whether a run shows in the results channel. Code discovery's one-member check of a new code (trigger `validate`) is
 * not posted: the fan-out's run that follows counts that member as done before it.
 */
export function isChannelReported(options: { trigger: string }): boolean {
  return CHANNEL_REPORTED_TRIGGERS.has(options.trigger);
}

/**
 * Shows every run of a channel-reported trigger (auto, rerun, resume, catch-up) in the alliance's results channel:
 * a progress message while it runs, the summary when it ends. It is one of the engine's run listeners, so runs the
 * engine starts itself (reruns, deferred runs) show too, and the engine knows nothing of Discord.
 */
export interface RunReporter extends Required<Pick<RunListener, 'runStarted' | 'runProgress' | 'runEnded'>> {
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

interface ShownRun {
  /**
   * One view per alliance in its own results channel, in that alliance's language; one view (allianceId null) for a
   * one-alliance run.
   */
  views: { allianceId: number | null; allianceName: string | null; lang: Language; view: ProgressView }[];
  /** Null when an interaction already shows this (guild, code). */
  live: LiveRun | null;
  startedAt: number;
}

export function createRunReporter(deps: RunReporterDeps): RunReporter {
  const { client, store, log, liveRuns } = deps;
  const posting = new Set<Promise<void>>();
  const shown = new Map<number, ShownRun>();

  const progressMessage = (run: RunStart, shownRun: ShownRun, progress: RunProgress, lang: Language) => ({
    embeds: [progressEmbed(progress, { code: run.code, trigger: run.trigger, startedAt: shownRun.startedAt }, lang)],
    components: [],
  });

  async function post(run: ShownRun, summary: RunSummary): Promise<void> {
    const done = Promise.all(
      run.views.map(({ allianceId, allianceName, lang, view }) =>
        allianceId === null
          ? view.finish(summaryView(summary, lang))
          : view.finish(
              summaryView(allianceShare(summary, allianceId), lang, {
                allianceId,
                allianceName: allianceName ?? '',
              }),
            ),
      ),
    )
      .then(() => undefined)
      .finally(() => liveRuns.release(run.live));
    posting.add(done);
    try {
      await done;
      log.info(
        {
          event: EVENTS.discordRunReported,
          guildId: summary.guildId,
          code: summary.code,
          trigger: summary.trigger,
          runId: summary.runId,
          status: summary.status,
        },
        'run summary posted to the results channel',
      );
    } finally {
      posting.delete(done);
    }
  }

  return {
    runStarted(run) {
      if (!isChannelReported(run)) return;
      const { guildId, code, trigger } = run;
      const live = liveRuns.claim({ guildId, code, trigger, channelId: null });
      // A run covering several alliances shows each one's progress and summary in that alliance's results channel.
      const split = run.alliances.length > 1;
      // Each alliance's posts speak its language; a one-alliance run speaks its alliance's.
      const languageOf = (alliance: RunStart['alliances'][number] | undefined) =>
        postLanguage(client, guildId, alliance ?? null);
      const targets = split
        ? run.alliances.map((alliance) => ({
            allianceId: alliance.allianceId,
            allianceName: alliance.name,
            lang: languageOf(alliance),
          }))
        : [{ allianceId: null, allianceName: null, lang: languageOf(run.alliances[0]) }];
      const views = targets.map((target) => ({
        ...target,
        view: createProgressView({
          log,
          intervalMs: deps.progressIntervalMs,
          channel: async () => {
            const channel = await resultsChannel(
              client,
              store,
              guildId,
              target.allianceId ?? run.alliances[0]?.allianceId,
            );
            // Known before the post is: a /redeem meanwhile can already say where to look.
            if (channel && live && live.channelId === null) live.channelId = channel.id;
            return channel;
          },
          onWhere: (url, channelId) => {
            if (live && (live.url === null || live.channelId === channelId)) Object.assign(live, { url, channelId });
          },
          context: {
            guildId,
            code,
            trigger,
            runId: run.runId,
            ...(target.allianceId ? { allianceId: target.allianceId } : {}),
          },
        }),
      }));
      shown.set(run.runId, { views, live, startedAt: Date.now() });
    },
    runProgress(run, progress) {
      const shownRun = shown.get(run.runId);
      if (!shownRun) return;
      for (const { allianceId, lang, view } of shownRun.views) {
        const mine = allianceId === null ? progress : progressOf(progress, allianceId);
        if (mine) view.update(() => progressMessage(run, shownRun, mine, lang));
      }
    },
    runEnded(summary) {
      // A run that never started (duplicate, refused, deferred) has nothing to show: it posted nothing either.
      const shownRun = summary.runId === null ? undefined : shown.get(summary.runId);
      if (!shownRun || summary.runId === null) return;
      shown.delete(summary.runId);
      // The caller (the fan-out to every alliance) does not wait for Discord.
      void post(shownRun, summary);
    },
    async idle() {
      while (posting.size > 0) await Promise.allSettled(posting);
    },
  };
}

/** One alliance's share of a run's progress, when the run reports it. */
function progressOf(progress: RunProgress, allianceId: number): RunProgress | null {
  const mine = progress.byAlliance?.[allianceId];
  return mine ? { runId: progress.runId, ...mine } : null;
}
