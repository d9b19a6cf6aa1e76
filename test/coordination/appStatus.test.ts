import { describe, expect } from 'vitest';
import { describeAppStatus } from '../../src/status/appStatus.ts';
import { seedAlliance } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { giftCode } from '../../src/game/giftCode.ts';

describe('app.status()', () => {
  it('one process without Redis: local lock and budget, nothing deferred', async ({ startCore }) => {
    const h = await startCore();
    const status = await h.app.status();
    expect(status.redis).toEqual({ configured: false, reachable: null, since: null, lastError: null });
    expect(status.budgets.map((b) => b.mode)).toEqual(['local']);
    expect(status.deferredRuns).toEqual([]);
    expect(describeAppStatus(status)[0]).toMatch(/no Redis configured/);
  });

  it('with Redis down: says so, shows the deferred run and the fallback budget; Redis back → the run completes by itself', async ({
    startRedis,
    startCore,
  }) => {
    const redis = await startRedis();
    await redis.kill();
    const h = await startCore({
      env: {
        REDIS_URL: redis.url,
        LOCK_TTL_MS: '1500',
        REDIS_COMMAND_TIMEOUT_MS: '300',
        REDIS_STARTUP_WAIT_MS: '300',
        DEFERRED_RETRY_MS: '100',
        DEFERRED_RETRY_MAX_MS: '500',
      },
    });
    await h.app.start();
    await seedAlliance(h, { count: 5 });
    h.sim.addCode('wos', 'WAITING1');
    const summary = await h.app.engine.processAutoRedeem('900000000000000001', giftCode('WAITING1'), {
      trigger: 'auto',
    });
    expect(summary.status).toBe('deferred');
    expect(summary.message).toMatch(/waits until it answers/);

    const down = await h.app.status();
    expect(down.redis).toMatchObject({ configured: true, reachable: false });
    expect(down.budgets.every((b) => b.mode === 'fallback')).toBe(true);
    expect(down.deferredRuns).toMatchObject([{ guildId: '900000000000000001', code: 'WAITING1', trigger: 'auto' }]);
    const lines = describeAppStatus(down);
    expect(lines[0]).toMatch(/NOT reachable/);
    expect(lines.join('\n')).toMatch(/1 deferred run\(s\) waiting/);

    await redis.restart();
    const until = Date.now() + 15_000;
    while (Date.now() < until && (await h.app.store.ledger.countByStatus('wos', 'WAITING1')).success < 5) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await h.app.store.ledger.countByStatus('wos', 'WAITING1')).success).toBe(5);
    const up = await h.app.status();
    expect(up.redis.reachable).toBe(true);
    const statusLines = h.logs.events('ops.status');
    expect(statusLines.length).toBeGreaterThanOrEqual(2); // at start and at each change
  });
});
