import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, vi } from 'vitest';
import { createDiscovery } from '../../src/codes/createDiscovery.ts';
import { gameInfo } from '../../src/game/games.ts';
import { createGiftCodeClient } from '../../src/game/giftCodeClient.ts';
import { EVENTS } from '../../src/log/events.ts';
import type { LogReport } from '../../src/ops/logCheck/logAnalyser.ts';
import { seedAlliance, type CoreHarness, type HarnessOptions } from '../support/coreHarness.ts';
import { it, type Starter } from '../support/fixtures.ts';
import { awaited } from '../support/awaited.ts';
import { CLI, jsonLines, logsCheck, runLogged, spawnLogged, WAIT } from './helpers.ts';

const GUILD = '900000000000000001';
/** Configured secrets: none of them may appear in any log line. */
const SECRETS = {
  DISCORD_TOKEN: 'MTAxNTc4OTk5.Gh0st.t0ken-value-for-tests',
  DISCORD_APPLICATION_ID: '101578999000000001',
  WOS_SIGN_SALT: gameInfo('wos').salt,
};

/** The simulator and a database with an alliance; the CLI processes own the database from here on. */
async function setUp(
  startCore: Starter<HarnessOptions, CoreHarness>,
  count: number,
  options: HarnessOptions = {},
): Promise<{ h: CoreHarness; env: Record<string, string>; log: (name: string) => string }> {
  const h = await startCore(options);
  await seedAlliance(h, { count });
  await h.app.close();
  const env = { ...h.env, ...SECRETS, ...options.env, LOG_LEVEL: 'info' };
  const dir = h.dir;
  return { h, env, log: (name) => join(dir, name) };
}

function report(result: { stdout: string }): LogReport {
  return JSON.parse(result.stdout) as LogReport;
}

function expectNoSecrets(
  file: string,
  secrets: readonly string[] = Object.values(SECRETS).filter((s) => s.length > 12),
): void {
  const text = readFileSync(file, 'utf8');
  for (const secret of secrets) expect(text.includes(secret), `a secret appeared in ${file}`).toBe(false);
}

describe('giftbot logs check on logs from real runs', () => {
  it('finds no problem in a healthy run, and summarises it per code and per guild', async ({ startCore }) => {
    const { h, env, log } = await setUp(startCore, 12);
    h.sim.addCode('wos', 'HEALTHY1');
    const file = log('healthy.log');
    const run = await runLogged([CLI, 'redeem', GUILD, 'HEALTHY1', '--json'], env, file);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.counts.success).toBe(12);

    // The healthy pattern is in the log, in order.
    const events = jsonLines(file).map((line) => line.event);
    const order = [
      EVENTS.lockAcquired,
      EVENTS.runStarted,
      EVENTS.memberResult,
      EVENTS.runFinished,
      EVENTS.lockReleased,
    ];
    const positions = order.map((event) => events.indexOf(event));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(events.every((event) => typeof event === 'string')).toBe(true);

    const checked = await logsCheck([file, '--json']);
    expect(checked.code).toBe(0);
    const result = report(checked);
    expect(result.problems).toEqual([]);
    expect(result.codes).toEqual([
      expect.objectContaining({
        game: 'wos',
        code: 'HEALTHY1',
        runs: 1,
        statuses: { completed: 1 },
        members: { success: 12 },
        apiCalls: summary.apiCalls,
      }),
    ]);
    expect(result.guilds).toEqual([
      expect.objectContaining({ guildId: GUILD, runs: 1, codes: 1, members: { success: 12 } }),
    ]);

    // Text output for a person, from standard input; a stray non-JSON line is counted, not fatal.
    const text = await logsCheck(['-'], `not a log line\n${readFileSync(file, 'utf8')}`);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('No problems found.');
    expect(text.stdout).toContain('1 line(s) were not JSON');
    expect(text.stdout).toMatch(/wos:HEALTHY1 +runs 1 \(completed 1\) +members success 12/);
    expectNoSecrets(file);
  });

  it('a run killed mid-way: its lock was never released (seen once the next run takes over), and alone it never finished', async ({
    startCore,
  }) => {
    const { h, env, log } = await setUp(startCore, 40, { sim: { latencyMs: { min: 60, max: 120 } } });
    h.sim.addCode('wos', 'KILLED1');
    const killedLog = log('killed.log');
    const { child, done } = spawnLogged(
      [CLI, 'redeem', GUILD, 'KILLED1'],
      { ...env, REDEEM_CONCURRENCY: '4' },
      killedLog,
    );
    await vi.waitFor(
      () => awaited(h.sim.calls.filter((c) => c.cdk === 'KILLED1').length >= 12, 'calls of the run to be killed'),
      WAIT,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killedRunId = jsonLines(killedLog).find((line) => line.event === EVENTS.runStarted)?.runId;
    expect(typeof killedRunId).toBe('number');

    // Alone, the killed process's log ends with the lock held: once older than --stuck-after, the run never finished.
    const alone = await logsCheck([killedLog, '--json', '--stuck-after', '1ms']);
    expect(alone.code).toBe(1);
    expect(report(alone).problems).toEqual([
      expect.objectContaining({ kind: 'run-never-finished', runId: killedRunId, code: 'KILLED1', guildId: GUILD }),
    ]);
    // With the default threshold it is still a run in progress: no alarm for a run that may just be running.
    const young = await logsCheck([killedLog, '--json']);
    expect(young.code).toBe(0);
    expect(report(young).inProgress).toEqual([expect.objectContaining({ runId: killedRunId, code: 'KILLED1' })]);

    // The next start finishes the run; the whole log shows the lock that was never released, with its evidence.
    const nextLog = log('next.log');
    const next = await runLogged([CLI, 'redeem', GUILD, 'KILLED1', '--json'], env, nextLog);
    expect(next.code).toBe(0);
    const combined = log('combined.log');
    writeFileSync(combined, readFileSync(killedLog, 'utf8') + readFileSync(nextLog, 'utf8'));
    const checked = await logsCheck([combined, '--json']);
    expect(checked.code).toBe(1);
    const problems = report(checked).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      kind: 'lock-never-released',
      runId: killedRunId,
      code: 'KILLED1',
      guildId: GUILD,
    });
    const evidence = problems[0]!.evidence.map((e) => JSON.parse(e.text) as { event: string; runId: number });
    expect(evidence[0]).toMatchObject({ event: EVENTS.lockAcquired, runId: killedRunId });
    expect(evidence.at(-1)).toMatchObject({ event: EVENTS.lockAcquired });
    expect(evidence.at(-1)!.runId).not.toBe(killedRunId);

    const text = await logsCheck([combined]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('[lock-never-released]');
    expect(text.stdout).toMatch(/line \d+: \{.*"event":"redeem.lock_acquired"/);
    expectNoSecrets(killedLog);
    expectNoSecrets(nextLog);
  });

  it('repeated sign errors: every run stops on redeem.config_error and the check says what to fix', async ({
    startCore,
  }) => {
    const wrongSalt = 'not-the-real-salt-4711';
    const { h, env, log } = await setUp(startCore, 5, { env: { WOS_SIGN_SALT: wrongSalt } });
    h.sim.addCode('wos', 'SIGNBAD');
    const file = log('sign.log');
    for (let i = 0; i < 2; i++) expect((await runLogged([CLI, 'redeem', GUILD, 'SIGNBAD'], env, file)).code).toBe(4);

    const checked = await logsCheck([file, '--json']);
    expect(checked.code).toBe(1);
    const problems = report(checked).problems;
    expect(problems.map((p) => p.kind)).toEqual(['config-errors']);
    expect(problems[0]!.message).toContain('2 signed request(s)');
    expect(problems[0]!.message).toContain('WOS_SIGN_SALT');
    expect(problems[0]!.evidence).toHaveLength(2);
    // A threshold above what happened: no problem.
    expect((await logsCheck([file, '--config-errors', '3'])).code).toBe(0);
    expectNoSecrets(file, [wrongSalt, SECRETS.DISCORD_TOKEN]);
  });

  it('a 429 storm: many rate-limited answers within the window', async ({ startCore }) => {
    const { h, env, log } = await setUp(startCore, 16, { sim: { rateLimit: { limit: 6, windowMs: 1_000 } } });
    h.sim.addCode('wos', 'STORM1');
    // Another tool on the same IP keeps using up the server's window (the cause the catalogue names): giftbot's calls
    // meet 429s, however well its own budget behaves. It stops once the run has had a handful.
    h.sim.addPlayer('wos', { fid: '59999999', kid: 245 });
    const intruder = createGiftCodeClient({
      apiBases: { wos: h.sim.apiBase('wos') },
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_000,
    });
    const limitedCalls = () => h.sim.calls.filter((c) => c.cdk === 'STORM1' && c.httpStatus === 429).length;
    let noisy = true;
    const noise = (async () => {
      while (noisy && limitedCalls() < 4) {
        await intruder.redeem({ game: 'wos', fid: '59999999', kid: 245, code: 'NOISE' });
        await sleep(20);
      }
    })();
    const file = log('storm.log');
    const run = await runLogged([CLI, 'redeem', GUILD, 'STORM1', '--json'], env, file);
    noisy = false;
    await noise;
    await intruder.close();
    expect(run.code).toBe(0);
    const limited = jsonLines(file).filter((line) => line.event === EVENTS.apiRateLimited).length;
    expect(limited).toBeGreaterThanOrEqual(3);

    const checked = await logsCheck([file, '--json', '--storm', `${limited}/10m`]);
    expect(checked.code).toBe(1);
    const problems = report(checked).problems;
    expect(problems.map((p) => p.kind)).toEqual(['rate-limit-storm']);
    expect(problems[0]!.message).toContain(`${limited} rate-limited answers`);
    expect(report(checked).noteworthy[EVENTS.apiRateLimited]).toBe(limited);
    // Fewer than the threshold is noteworthy, not a storm.
    expect((await logsCheck([file, '--storm', `${limited + 1}/10m`])).code).toBe(0);
  });

  it('a feed down: failing with no recovery is a problem once past --feed-down; a feed that came back is not', async ({
    startCore,
  }) => {
    const h = await startCore({ env: { LOG_LEVEL: 'info' } });
    h.sim.setFeed('down', { format: 'list', codes: [], status: 503 });
    h.sim.setFeed('flaky', { format: 'list', codes: [], status: 503 });
    const feeds = ['down', 'flaky'].map((name) => ({
      name,
      url: h.sim.feedUrl(name),
      game: 'wos' as const,
      format: 'list' as const,
      apiKey: 'feed-key-not-in-logs-1234',
    }));
    const discovery = createDiscovery(h.app, {
      feeds,
      pollMinMs: 200,
      pollMaxMs: 200,
      backoffMinMs: 100,
      backoffMaxMs: 200,
    });
    discovery.start();
    await vi.waitFor(
      () =>
        awaited(
          h.logs.events(EVENTS.feedStateChanged).filter((l) => l.to === 'failing').length === 2,
          'both feeds to fail',
        ),
      WAIT,
    );
    h.sim.setFeed('flaky', { format: 'list', codes: [] });
    await vi.waitFor(
      () =>
        awaited(
          h.logs.events(EVENTS.feedStateChanged).some((l) => l.feed === 'flaky' && l.to === 'ok'),
          'the flaky feed to answer again',
        ),
      WAIT,
    );
    await discovery.stop();
    const file = join(h.dir, 'feeds.log');
    writeFileSync(file, `${h.logs.raw.join('\n')}\n`);

    const checked = await logsCheck([file, '--json', '--feed-down', '1ms']);
    expect(checked.code).toBe(1);
    const problems = report(checked).problems;
    expect(problems).toEqual([expect.objectContaining({ kind: 'feed-down', feed: 'down' })]);
    expect(JSON.parse(problems[0]!.evidence[0]!.text)).toMatchObject({
      event: EVENTS.feedStateChanged,
      feed: 'down',
      to: 'failing',
    });
    // Within the default 30 minutes it is not (yet) a problem.
    expect((await logsCheck([file])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('feed-key-not-in-logs-1234');
  });

  it('bad options and unreadable files exit 2 with a clear message', async () => {
    const bad = await logsCheck(['--storm', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--storm must look like 10/1m');
    const missing = await logsCheck(['/nonexistent/giftbot.log']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read /nonexistent/giftbot.log');
  });
});
