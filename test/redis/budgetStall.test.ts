import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBudgetStall } from '../support/budgetStallScenario.ts';
import { startRedisServer, type TestRedisServer } from '../support/redisServer.ts';
import { captureLogger } from './helpers.ts';

let server: TestRedisServer;
const logs = captureLogger();

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the shared budget across a short Redis stall (issue 12, finding 1)', () => {
  it('four budgets at 20 per 2 s, Redis frozen 1.2 s twice as slots free up: no window over 20 at the game, no 429', async () => {
    for (let repeat = 0; repeat < 2; repeat++) {
      // The margin absorbs the time from grant to arrival at the game; on a loaded test machine (every budget, client
      // and the simulator share one process here) that can exceed the 250 ms a production host needs.
      const result = await runBudgetStall({ server, log: logs.log, marginMs: 600 });
      console.info(`budget stall #${repeat + 1}: ${JSON.stringify(result)}`);
      expect(result.calls).toBe(100);
      expect(result.busiestWindow).toBeLessThanOrEqual(20);
      expect(result.rateLimited).toBe(0);
    }
  }, 120_000);

  it('an outage longer than a window: the fallback serves at its share, and its grants count in the shared window on return', async () => {
    const result = await runBudgetStall({ server, log: logs.log, marginMs: 600, stallMs: 3_500, stallsAtWindows: [1] });
    console.info(`budget outage: ${JSON.stringify(result)}`);
    expect(result.fallbackUsed).toBe(true);
    expect(result.calls).toBe(100);
    expect(result.busiestWindow).toBeLessThanOrEqual(20);
    expect(result.rateLimited).toBe(0);
  }, 120_000);
});
