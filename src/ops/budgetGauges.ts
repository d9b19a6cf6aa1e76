import type { Registry } from 'prom-client';
import type { BudgetSnapshot } from '../pacing/rateBudget.ts';

/** One rate budget as the gauges see it: the API host and the egress address (EGRESS_ADDRESS or 'default'). */
export interface BudgetSource {
  host: string;
  egress: string;
  snapshot(): BudgetSnapshot;
}

/**
 * The rate budget per API host and egress address, read at scrape time: the game counts its limit per client address,
 * so several hosts' dashboards (one series per egress) add up to what the game sees from each address.
 */
export function registerBudgetGauges(
  prom: typeof import('prom-client'),
  registry: Registry,
  budgets: () => readonly BudgetSource[],
): void {
  const { Gauge } = prom;
  const gauge = (name: string, help: string, read: (snapshot: BudgetSnapshot) => number): void => {
    // oxlint-disable-next-line no-new -- prom-client registers the gauge on construction; collect() feeds it.
    new Gauge({
      name,
      help,
      labelNames: ['host', 'egress'] as const,
      registers: [registry],
      collect() {
        for (const budget of budgets()) this.set({ host: budget.host, egress: budget.egress }, read(budget.snapshot()));
      },
    });
  };
  gauge(
    'giftbot_rate_budget_limit',
    'Calls allowed per window for this API host and egress address (all processes on the address together).',
    (s) => s.limit,
  );
  gauge(
    'giftbot_rate_budget_available',
    'Calls left in the current window for this API host and egress address (an estimate when shared).',
    (s) => s.available,
  );
  gauge(
    'giftbot_rate_budget_waiting',
    "Calls in this process waiting for a slot of this API host and egress address's budget.",
    (s) => s.waiting,
  );
  gauge(
    'giftbot_rate_budget_shared',
    "Whether the budget is shared through Redis (1) or local / on this process's fallback share (0).",
    (s) => (s.shared ? 1 : 0),
  );
}
