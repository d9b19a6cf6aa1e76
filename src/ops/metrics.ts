import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import { GAMES } from '../game/games.ts';
import type { RunListener } from '../redeem/runListener.ts';
import { registerBudgetGauges } from './budgetGauges.ts';
import { registerStateGauges } from './stateGauges.ts';
import {
  ANSWER_KINDS,
  FEED_OUTCOMES,
  LOCK_EVENTS,
  LOCK_LAYERS,
  MEMBER_OUTCOMES,
  RUN_STATUSES,
} from './metricLabels.ts';
import type { MetricsOptions } from './stateGauges.ts';

export type { MetricsOptions };

export type FeedPollOutcome = 'ok' | 'not-modified' | 'failed';

/**
 * giftbot's Prometheus metrics. It is one of the engine's run listeners (`RunListener`), so the engine reports what it does
 * through a typed interface and never imports prom-client. One registry per app (not prom-client's global one), so
 * several apps in one process (tests) keep separate counts.
 */
export interface Metrics extends RunListener {
  readonly registry: Registry;
  /** For the feed poller: one poll of a code feed. */
  feedPolled(feed: string, outcome: FeedPollOutcome): void;
  /** The exposition text for GET /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** API answers take 50 ms to the 20 s read timeout; the buckets cover that range. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  // prom-client is loaded only when metrics are asked for (METRICS_PORT): without them the bot does not pay its memory.
  const prom = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  const { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } = prom;
  const registry = new Registry();
  // Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…): stock dashboards expect them unprefixed.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const redemptions = new Counter({
    name: 'giftbot_redemptions_total',
    help: 'Member results recorded by runs, by game and outcome (success, already, failed, retry-exhausted).',
    labelNames: ['game', 'outcome'] as const,
    registers: [registry],
  });
  const apiLatency = new Histogram({
    name: 'giftbot_api_request_duration_seconds',
    help: 'Time from sending a redemption request to its answer (or transport failure), by game and answer kind.',
    labelNames: ['game', 'kind'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'giftbot_api_rate_limited_total',
    help: 'Answers telling us to slow down (HTTP 429 or a rate-limit body), by game.',
    labelNames: ['game'] as const,
    registers: [registry],
  });
  const runs = new Counter({
    name: 'giftbot_runs_total',
    help: 'Redemption runs by final status (completed, duplicate, code-invalid, config-error, refused, deferred, aborted, failed).',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'giftbot_duplicates_refused_total',
    help: 'Triggers refused because the same code was already running for the alliance, by lock layer.',
    labelNames: ['layer'] as const,
    registers: [registry],
  });
  const lockEvents = new Counter({
    name: 'giftbot_lock_events_total',
    help: 'Run lock events: acquired, released, busy, unavailable, lost, stale-fence.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const feedPolls = new Counter({
    name: 'giftbot_feed_polls_total',
    help: 'Code feed polls by feed and outcome (ok, not-modified, failed).',
    labelNames: ['feed', 'outcome'] as const,
    registers: [registry],
  });
  // oxlint-disable-next-line no-new -- prom-client registers the gauge on construction; collect() feeds it.
  new Gauge({
    name: 'giftbot_runs_in_progress',
    help: 'Redemption runs active in this process now.',
    registers: [registry],
    collect() {
      this.set(options.activeRuns?.list().length ?? 0);
    },
  });
  const feedUp = new Gauge({
    name: 'giftbot_feed_up',
    help: 'Whether a code feed answered its last poll (1) or failed it (0).',
    labelNames: ['feed'] as const,
    registers: [registry],
  });

  registerStateGauges(prom, registry, options);
  if (options.budgets) registerBudgetGauges(prom, registry, options.budgets);

  // Every known series from the start, at 0.
  for (const game of GAMES) {
    for (const outcome of MEMBER_OUTCOMES) redemptions.inc({ game, outcome }, 0);
    for (const kind of ANSWER_KINDS) apiLatency.zero({ game, kind });
    rateLimited.inc({ game }, 0);
  }
  for (const status of RUN_STATUSES) runs.inc({ status }, 0);
  for (const layer of LOCK_LAYERS) duplicates.inc({ layer }, 0);
  for (const event of LOCK_EVENTS) lockEvents.inc({ event }, 0);
  for (const feed of options.feeds ?? []) for (const outcome of FEED_OUTCOMES) feedPolls.inc({ feed, outcome }, 0);

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    apiCall({ game, durationMs, kind, reason }) {
      apiLatency.observe({ game, kind }, durationMs / 1000);
      if (reason === 'rate-limited') rateLimited.inc({ game });
    },
    memberOutcome({ game, outcome }) {
      redemptions.inc({ game, outcome });
    },
    duplicateRefused({ layer }) {
      duplicates.inc({ layer });
    },
    lockEvent(event) {
      lockEvents.inc({ event });
    },
    runEnded(summary) {
      runs.inc({ status: summary.status });
    },
    feedPolled(feed, outcome) {
      feedPolls.inc({ feed, outcome });
      feedUp.set({ feed }, outcome === 'failed' ? 0 : 1);
    },
  };
}
