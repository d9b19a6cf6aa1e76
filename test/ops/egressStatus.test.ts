import { afterEach, describe, expect, it } from 'vitest';
import { giftCode } from '../../src/game/giftCode.ts';
import { describeAppStatus } from '../../src/status/appStatus.ts';
import { seedAlliance, startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';

const GUILD = '900000000000000001';
let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('EGRESS_ADDRESS in one process', () => {
  it('calls leave from the address, and the status and /metrics name the budget by it', async () => {
    h = await startCoreHarness({ env: { EGRESS_ADDRESS: '127.0.0.3', METRICS_PORT: '0' } });
    await seedAlliance(h, { count: 3 });
    h.sim.addCode('wos', 'FROMADDR');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('FROMADDR'), { trigger: 'manual' });
    expect(summary.status).toBe('completed');
    const calls = h.sim.calls.filter((call) => call.cdk === 'FROMADDR');
    expect(calls.map((call) => call.ip.replace(/^::ffff:/, ''))).toEqual(['127.0.0.3', '127.0.0.3', '127.0.0.3']);

    const status = await h.app.status();
    expect(status.budgets.map((budget) => budget.egress)).toEqual(status.budgets.map(() => '127.0.0.3'));
    expect(describeAppStatus(status).join('\n')).toMatch(
      /Budget for 127\.0\.0\.1:\d+ from 127\.0\.0\.3: 50 per 1 s, local/,
    );

    const text = await h.app.metrics!.render();
    expect(text).toMatch(/^giftbot_rate_budget_limit\{host="127\.0\.0\.1:\d+",egress="127\.0\.0\.3"\} 50$/m);
    expect(text).toMatch(/^giftbot_rate_budget_shared\{host="127\.0\.0\.1:\d+",egress="127\.0\.0\.3"\} 0$/m);
  });
});
