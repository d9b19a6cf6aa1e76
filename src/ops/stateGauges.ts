import type { Registry } from 'prom-client';
import type { BudgetSource } from './budgetGauges.ts';
import { packageVersion } from './metricLabels.ts';

export interface MetricsOptions {
  /** Read at scrape time for the runs-in-progress gauge. */
  activeRuns?: { list(): readonly unknown[] };
  /** Process metrics (CPU, memory, event loop lag, GC, handles), under their standard names; on by default. */
  processMetrics?: boolean;
  /** Whether Redis answers (null before the first check). Given only when Redis is configured: giftbot_redis_up. */
  redisUp?: () => boolean | null;
  /** For the bot: whether the Discord gateway session is ready (giftbot_discord_connected, read at every scrape). */
  discordConnected?: () => boolean;
  /** How many runs wait in the deferred-run table (for Redis to answer again): giftbot_deferred_runs_waiting. */
  deferredRunsWaiting?: () => number | Promise<number>;
  /** The configured code feeds, so their poll counters exist from the start. */
  feeds?: readonly string[];
  /** For giftbot_build_info; package.json's version by default. */
  version?: string;
  /** The rate budgets per API host and egress address: giftbot_rate_budget_* gauges. */
  budgets?: () => readonly BudgetSource[];
}

/**
 * The gauges read at scrape time that say what state the process is in: its build, and (each only when its source is
 * given) Redis, the deferred runs and the Discord session. Registered after the activity metrics, in this order.
 */
export function registerStateGauges(
  prom: typeof import('prom-client'),
  registry: Registry,
  options: MetricsOptions,
): void {
  const { Gauge } = prom;
  new Gauge({
    name: 'giftbot_build_info',
    help: 'Always 1; the labels say which giftbot and which Node.js are running.',
    labelNames: ['version', 'node'] as const,
    registers: [registry],
  }).set({ version: options.version ?? packageVersion(), node: process.versions.node }, 1);
  const { redisUp, deferredRunsWaiting } = options;
  if (redisUp) {
    // oxlint-disable-next-line no-new -- prom-client registers the gauge on construction; collect() feeds it.
    new Gauge({
      name: 'giftbot_redis_up',
      help: 'Whether Redis answered its last health check (1) or not (0; also 0 before the first check).',
      registers: [registry],
      collect() {
        this.set(redisUp() === true ? 1 : 0);
      },
    });
  }
  if (deferredRunsWaiting) {
    // oxlint-disable-next-line no-new -- prom-client registers the gauge on construction; collect() feeds it.
    new Gauge({
      name: 'giftbot_deferred_runs_waiting',
      help: 'Runs recorded as deferred (the shared lock could not be checked) and waiting to be retried.',
      registers: [registry],
      async collect() {
        this.set(await deferredRunsWaiting());
      },
    });
  }
  const discordConnected = options.discordConnected;
  if (discordConnected) {
    // oxlint-disable-next-line no-new -- prom-client registers the gauge on construction; collect() feeds it.
    new Gauge({
      name: 'giftbot_discord_connected',
      help: 'Whether the Discord gateway session is ready (1) or not (0).',
      registers: [registry],
      collect() {
        this.set(discordConnected() ? 1 : 0);
      },
    });
  }
}
