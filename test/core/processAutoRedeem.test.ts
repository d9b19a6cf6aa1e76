import { describe, expect } from 'vitest';
import { createGiftCodeClient } from '../../src/game/giftCodeClient.ts';
import { EVENTS } from '../../src/log/events.ts';
import { callsPerFid, seedAlliance, STORE_KINDS } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';
import { giftCode, normalizeCode } from '../../src/game/giftCode.ts';
import { addAlliance, addMember } from '../support/alliances.ts';

const GUILD = '900000000000000001';

describe('processAutoRedeem against the game-API simulator', () => {
  it.for(STORE_KINDS)(
    '100 simultaneous triggers for one (guild, code) → one run, every member called exactly once (%s store)',
    async (store, { startCore }) => {
      const h = await startCore({
        store,
        sim: { rateLimit: { limit: 100, windowMs: 1_000 } },
        env: { RATE_LIMIT_PER_MINUTE: '100' },
      });
      const fids = await seedAlliance(h, { count: 60 });
      h.sim.addCode('wos', 'GIFT100');

      const summaries = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.app.engine.processAutoRedeem(GUILD, giftCode('GIFT100'), { trigger: i % 2 ? 'auto' : 'manual' }),
        ),
      );

      const statuses = summaries.map((s) => s.status);
      expect(statuses.filter((s) => s === 'completed')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(99);
      const perFid = callsPerFid(h.sim, 'GIFT100');
      expect([...perFid.keys()].sort()).toEqual([...fids].sort());
      expect([...perFid.values()].every((n) => n === 1)).toBe(true);
      expect(h.sim.successes('wos', 'GIFT100').sort()).toEqual([...fids].sort());
      // The operator sees each refused trigger as one warn line with a stable event name.
      expect(h.logs.events(EVENTS.duplicateSkipped)).toHaveLength(99);
      expect(h.logs.events(EVENTS.duplicateSkipped)[0]?.level).toBe('warn');
      expect(h.logs.events(EVENTS.lockAcquired)).toHaveLength(1);
      expect(h.logs.events(EVENTS.lockReleased)).toHaveLength(1);
      expect(h.app.activeRuns.list()).toHaveLength(0);
      const completed = summaries.find((s) => s.status === 'completed')!;
      expect(completed.counts).toMatchObject({ total: 60, success: 60, failed: 0 });
      expect(completed.message).toContain('60 of 60 members have it');
    },
  );

  it('a second run after completion makes zero API calls, also after a restart', async ({ startCore }) => {
    const h = await startCore();
    await seedAlliance(h, { count: 20 });
    h.sim.addCode('wos', 'ONCEONLY');
    const first = await h.app.engine.processAutoRedeem(GUILD, giftCode('ONCEONLY'), { trigger: 'auto' });
    expect(first.counts.success).toBe(20);
    const callsAfterFirst = h.sim.calls.length;

    const second = await h.app.engine.processAutoRedeem(GUILD, giftCode('ONCEONLY'), { trigger: 'manual' });
    expect(second.status).toBe('completed');
    expect(second.apiCalls).toBe(0);
    expect(second.counts.skipped).toBe(20);

    await h.app.close();
    const restarted = h.restart();
    const third = await restarted.engine.processAutoRedeem(GUILD, giftCode('ONCEONLY'), { trigger: 'auto' });
    expect(third.apiCalls).toBe(0);
    expect(h.sim.calls.length).toBe(callsAfterFirst);
    const rows = await restarted.store.ledger.listForCode('wos', 'ONCEONLY');
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.status === 'success' && row.errCode === 20000 && row.msg === 'SUCCESS')).toBe(true);
  });

  it('a stop while members wait for the budget leaves no claim open; the ledger counts exactly the calls made', async ({
    startCore,
  }) => {
    // 10 calls a second with 8 workers: most claimed members are waiting for a slot when the stop comes.
    const h = await startCore({
      env: { RATE_LIMIT_PER_MINUTE: '10' },
      sim: { rateLimit: { limit: 10, windowMs: 1_000 } },
    });
    const fids = await seedAlliance(h, { count: 40 });
    h.sim.addCode('wos', 'HALTED1');
    const run = h.app.engine.processAutoRedeem(GUILD, giftCode('HALTED1'), { trigger: 'auto' });
    while (h.sim.calls.filter((c) => c.cdk === 'HALTED1').length < 12)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await h.app.close();
    const stopped = await run;
    expect(stopped.status).toBe('aborted');

    const restarted = h.restart();
    const rows = await restarted.store.ledger.listForCode('wos', 'HALTED1');
    const made = h.sim.calls.filter((c) => c.cdk === 'HALTED1').length;
    expect(rows.filter((row) => row.status === 'pending')).toEqual([]);
    expect(rows.reduce((sum, row) => sum + row.attempts, 0)).toBe(made);
    expect(rows.length).toBe(made);
    expect(rows.length).toBeLessThan(fids.length);

    // The next run serves the rest (once the server's 1 s window has passed, as after a real restart): every member
    // called exactly once over both.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rest = await restarted.engine.processAutoRedeem(GUILD, giftCode('HALTED1'), { trigger: 'resume' });
    expect(rest.apiCalls).toBe(fids.length - made);
    expect([...callsPerFid(h.sim, 'HALTED1').values()].every((n) => n === 1)).toBe(true);
    expect(h.sim.successes('wos', 'HALTED1')).toHaveLength(fids.length);
  });

  it.for([
    ['expired', 'TIME ERROR.', 'expired'],
    ['used-up', 'USED.', 'used-up'],
    ['unknown', 'CDK NOT FOUND.', 'invalid'],
  ] as const)(
    'an %s code → exactly one call, the code is marked, and it never runs again',
    async ([kind, msg, stored], { startCore }) => {
      const h = await startCore();
      await seedAlliance(h, { count: 30 });
      if (kind === 'expired') h.sim.addCode('wos', 'DEADCODE', { status: 'expired' });
      if (kind === 'used-up') h.sim.addCode('wos', 'DEADCODE', { status: 'used-up' });

      const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('DEADCODE'), { trigger: 'auto' });
      expect(summary.status).toBe('code-invalid');
      expect(summary.apiCalls).toBe(1);
      expect(h.sim.calls.filter((c) => c.cdk === 'DEADCODE')).toHaveLength(1);
      expect(summary.message).toContain(msg);
      expect((await h.app.store.codes.get('wos', 'DEADCODE'))?.status).toBe(stored);
      expect(h.logs.events(EVENTS.codeInvalidated)).toHaveLength(1);
      // The one member called is reported with the game's answer, not as "not called" like the rest.
      const reason = kind === 'unknown' ? 'code-not-found' : `code-${kind}`;
      expect(summary.members.filter((m) => m.outcome !== 'not-called')).toEqual([
        expect.objectContaining({ outcome: 'failed', reason, msg }),
      ]);
      expect(summary.counts.notCalled).toBe(29);

      // Any guild, any trigger: no call is ever made for it again.
      const other = await addAlliance(h.app.store, { guildId: '900000000000000002', game: 'wos', defaultState: 245 });
      await h.app.store.members.add(other.id, { fid: '50000001', state: 245 });
      const again = await h.app.engine.processAutoRedeem('900000000000000002', giftCode('DEADCODE'), {
        trigger: 'manual',
      });
      expect(again.status).toBe('code-invalid');
      expect(h.sim.calls.filter((c) => c.cdk === 'DEADCODE')).toHaveLength(1);
    },
  );

  it('an expired code triggered in 20 alliances at the same moment costs one call in total', async ({ startCore }) => {
    const h = await startCore();
    h.sim.addCode('wos', 'DEADEVERYWHERE', { status: 'expired' });
    const guilds = Array.from({ length: 20 }, (_, i) => String(930000000000000000n + BigInt(i)));
    for (const [i, guildId] of guilds.entries())
      await seedAlliance(h, { guildId, count: 5, firstFid: 52_000_001 + i * 10 });
    const summaries = await Promise.all(
      guilds.map((guildId) =>
        h.app.engine.processAutoRedeem(guildId, giftCode('DEADEVERYWHERE'), { trigger: 'manual' }),
      ),
    );
    expect(summaries.every((s) => s.status === 'code-invalid')).toBe(true);
    expect(h.sim.calls.filter((c) => c.cdk === 'DEADEVERYWHERE')).toHaveLength(1);
  });

  it.for([
    ['a new code (probed first)', false],
    ['a code known valid', true],
  ])(
    '%s started in 10 alliances at once: the first window’s burst reaches every alliance',
    async ([_label, knownValid], { startCore }) => {
      // 20 calls per window, 10 alliances of 8: taking turns, each alliance is called within the first 20 calls
      // instead of the first alliances' workers taking the whole burst.
      const h = await startCore({
        sim: { rateLimit: { limit: 20, windowMs: 1_000 } },
        env: { RATE_LIMIT_PER_MINUTE: '20' },
      });
      h.sim.addCode('wos', 'BURST10');
      if (knownValid) {
        await h.app.store.codes.add('wos', 'BURST10', 'manual');
        await h.app.store.codes.setStatus('wos', 'BURST10', 'valid');
      }
      const guilds = Array.from({ length: 10 }, (_, i) => String(930000000000000200n + BigInt(i)));
      const allianceOf = new Map<string, string>();
      for (const [i, guildId] of guilds.entries()) {
        for (const fid of await seedAlliance(h, { guildId, count: 8, firstFid: 54_000_001 + i * 100 }))
          allianceOf.set(fid, guildId);
      }
      const summaries = await Promise.all(
        guilds.map((guildId) => h.app.engine.processAutoRedeem(guildId, giftCode('BURST10'), { trigger: 'manual' })),
      );
      expect(summaries.every((s) => s.counts.success === 8)).toBe(true);
      const firstBurst = h.sim.calls.filter((c) => c.cdk === 'BURST10').slice(0, 20);
      expect(new Set(firstBurst.map((c) => allianceOf.get(c.fid!))).size).toBe(10);
      expect(h.sim.calls.filter((c) => c.httpStatus === 429)).toHaveLength(0);
    },
  );

  it('a live code triggered in several alliances at once is probed once, then every alliance runs in parallel', async ({
    startCore,
  }) => {
    const h = await startCore();
    h.sim.addCode('wos', 'LIVEEVERYWHERE');
    const guilds = ['930000000000000101', '930000000000000102', '930000000000000103'];
    for (const [i, guildId] of guilds.entries())
      await seedAlliance(h, { guildId, count: 10, firstFid: 53_000_001 + i * 100 });
    const summaries = await Promise.all(
      guilds.map((guildId) =>
        h.app.engine.processAutoRedeem(guildId, giftCode('LIVEEVERYWHERE'), { trigger: 'manual' }),
      ),
    );
    expect(summaries.map((s) => s.counts.success)).toEqual([10, 10, 10]);
    expect(h.sim.calls.filter((c) => c.cdk === 'LIVEEVERYWHERE')).toHaveLength(30);
  });

  it('a code found dead by another run (any process) stops this run at its next member', async ({ startCore }) => {
    const h = await startCore({ sim: { latencyMs: 30 }, env: { REDEEM_CONCURRENCY: '1' } });
    await seedAlliance(h, { count: 30 });
    h.sim.addCode('wos', 'DIESLATER');
    await h.app.store.codes.add('wos', 'DIESLATER', 'test');
    await h.app.store.codes.setStatus('wos', 'DIESLATER', 'valid');
    const running = h.app.engine.processAutoRedeem(GUILD, giftCode('DIESLATER'), { trigger: 'auto' });
    while (h.sim.calls.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    // What another alliance's run records when the game answers TIME ERROR for it.
    await h.app.store.codes.setStatus('wos', 'DIESLATER', 'expired', { errCode: 40007, msg: 'TIME ERROR.' });
    const summary = await running;
    expect(summary.status).toBe('code-invalid');
    expect(summary.apiCalls).toBeLessThanOrEqual(7);
    expect(summary.counts.notCalled).toBeGreaterThanOrEqual(23);
    expect(summary.message).toContain('has expired');
  });

  it('a 429 pauses the run; the member is retried after Retry-After and ends final', async ({ startCore }) => {
    const h = await startCore({
      sim: { rateLimit: { limit: 10, windowMs: 1_000 } },
      env: { RATE_LIMIT_PER_MINUTE: '100' },
    });
    const fids = await seedAlliance(h, { count: 25 });
    h.sim.addCode('wos', 'BUSY429');
    // Another tool on the same IP has just spent the server's whole window.
    h.sim.addPlayer('wos', { fid: '777', kid: 1 });
    const other = createGiftCodeClient({ apiBases: { wos: h.sim.apiBase('wos') } });
    for (let i = 0; i < 10; i += 1) await other.redeem({ game: 'wos', fid: '777', kid: 1, code: 'OTHER' });
    await other.close();

    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('BUSY429'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts.success).toBe(25);
    const ours = h.sim.calls.filter((c) => c.cdk === 'BUSY429');
    const limited = ours.filter((c) => c.httpStatus === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(summary.rateLimited).toBe(limited.length);
    // The next call waited for the server's Retry-After (1 s) instead of hammering it.
    const first429 = ours.indexOf(limited[0]!);
    const next = ours[first429 + limited.length]!;
    expect(next.atMono - limited[0]!.atMono).toBeGreaterThanOrEqual(800);
    // Every member got it exactly once; 429s never count as a result.
    expect(h.sim.successes('wos', 'BUSY429').sort()).toEqual([...fids].sort());
    const rows = await h.app.store.ledger.listForCode('wos', 'BUSY429');
    expect(rows.every((r) => r.status === 'success')).toBe(true);
    // The server's X-RateLimit-Limit (10) replaced the configured 100: after the pause, no more 429s.
    expect(h.logs.events(EVENTS.apiBudgetAdjusted)[0]).toMatchObject({ from: 100, to: 10 });
    expect(ours.slice(first429 + limited.length).every((c) => c.httpStatus === 200)).toBe(true);
    expect(h.logs.events(EVENTS.apiRateLimited).length).toBe(limited.length);
  });

  it('TIMEOUT RETRY, 503, garbage and a hung connection → those members are retried later and end final', async ({
    startCore,
  }) => {
    const h = await startCore({ env: { API_READ_TIMEOUT_MS: '500' } });
    const fids = await seedAlliance(h, { count: 12 });
    h.sim.addCode('wos', 'FLAKY');
    h.sim.injectFault({ kind: 'timeout-retry', fid: fids[0]!, count: 2 });
    h.sim.injectFault({ kind: 'http-503', fid: fids[1]! });
    h.sim.injectFault({ kind: 'garbage', fid: fids[2]! });
    h.sim.injectFault({ kind: 'hang', fid: fids[3]! });
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('FLAKY'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toMatchObject({ success: 12, failed: 0, retryExhausted: 0 });
    const perFid = callsPerFid(h.sim, 'FLAKY');
    expect(perFid.get(fids[0]!)).toBe(3);
    expect(perFid.get(fids[1]!)).toBe(2);
    expect(perFid.get(fids[2]!)).toBe(2);
    expect(perFid.get(fids[3]!)).toBe(2);
    expect(perFid.get(fids[4]!)).toBe(1);
    const retries = h.logs.events(EVENTS.memberRetry);
    expect(retries.map((r) => r.reason).sort()).toEqual([
      'garbage',
      'server-busy',
      'server-busy',
      'timeout',
      'upstream-error',
    ]);
  });

  it('a member in the wrong state is flagged; the others are unaffected', async ({ startCore }) => {
    const h = await startCore();
    const fids = await seedAlliance(h, { count: 10 });
    h.sim.addPlayer('wos', { fid: fids[4]!, kid: 999 });
    h.sim.addCode('wos', 'STATECHK');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('STATECHK'), { trigger: 'auto' });
    expect(summary.counts).toMatchObject({ success: 9, failed: 1 });
    expect(summary.byReason).toEqual({ 'failed:wrong-state': 1 });
    expect(summary.message).toContain('1 wrong state');
    const member = await h.app.store.members.get(GUILD, fids[4]!);
    expect(member?.stateStatus).toBe('wrong');
    const row = await h.app.store.ledger.get('wos', fids[4]!, 'STATECHK');
    expect(row).toMatchObject({ status: 'failed', reason: 'wrong-state', errCode: 40020, msg: 'USER INFO ERROR.' });
    // Until the state is fixed, later runs do not waste calls on that member.
    h.sim.addCode('wos', 'NEXTCODE');
    const next = await h.app.engine.processAutoRedeem(GUILD, giftCode('NEXTCODE'), { trigger: 'auto' });
    expect(next.counts.success).toBe(9);
    expect(callsPerFid(h.sim, 'NEXTCODE').has(fids[4]!)).toBe(false);
  });

  it('a sign error stops the run with a clear message after one call', async ({ startCore }) => {
    const h = await startCore({ env: { WOS_SIGN_SALT: 'not-the-real-salt' } });
    await seedAlliance(h, { count: 15 });
    h.sim.addCode('wos', 'SIGNED');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('SIGNED'), { trigger: 'auto' });
    expect(summary.status).toBe('config-error');
    expect(summary.apiCalls).toBe(1);
    expect(summary.message).toMatch(/Sign Error.*salt/);
    expect(h.logs.events(EVENTS.configError)[0]).toMatchObject({ level: 'error', reason: 'sign-error' });
    // Nothing final was written: once the salt is fixed, every member is still to do.
    const rows = await h.app.store.ledger.listForCode('wos', 'SIGNED');
    expect(rows.every((r) => r.status !== 'success' && r.status !== 'failed')).toBe(true);
    expect((await h.app.store.codes.get('wos', 'SIGNED'))?.status).toBe('new');
  });

  it('paces calls within the server budget: zero 429s when giftbot and the server agree', async ({ startCore }) => {
    const h = await startCore({
      sim: { rateLimit: { limit: 20, windowMs: 1_000 } },
      env: { RATE_LIMIT_PER_MINUTE: '20' },
    });
    await seedAlliance(h, { count: 50 });
    h.sim.addCode('wos', 'PACED');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('PACED'), { trigger: 'auto' });
    expect(summary.counts.success).toBe(50);
    expect(h.sim.calls.filter((c) => c.httpStatus === 429)).toHaveLength(0);
    expect(summary.rateLimited).toBe(0);
  });

  it('bad input gets a clear refusal and no call', async ({ startCore }) => {
    const h = await startCore();
    await seedAlliance(h, { count: 2 });
    // A malformed code is refused where it enters (normalizeCode at the edge): it never reaches the engine.
    const badCode = normalizeCode('no spaces allowed');
    expect(badCode).toMatchObject({ ok: false });
    expect(!badCode.ok && badCode.reason).toContain('one word');
    const noGuild = await h.app.engine.processAutoRedeem('123', giftCode('GOODCODE'), { trigger: 'manual' });
    expect(noGuild.status).toBe('refused');
    expect(noGuild.message).toContain('no alliance set up');
    expect(h.sim.calls).toHaveLength(0);
  });

  it('members without a known state are skipped and reported, not called', async ({ startCore }) => {
    const h = await startCore();
    await seedAlliance(h, { count: 3 });
    await addMember(h.app.store, GUILD, { fid: '61000001', state: null });
    h.sim.addCode('wos', 'NOSTATE');
    const summary = await h.app.engine.processAutoRedeem(GUILD, giftCode('NOSTATE'), { trigger: 'auto' });
    expect(summary.counts).toMatchObject({ total: 4, success: 3, skipped: 1 });
    expect(summary.byReason).toEqual({ 'skipped:state-unknown': 1 });
    expect(callsPerFid(h.sim, 'NOSTATE').has('61000001')).toBe(false);
  });
});
