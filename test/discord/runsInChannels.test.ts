import { describe, expect } from 'vitest';
import {
  embedFields,
  embedOf,
  GUILD_ID,
  OTHER_GUILD_ID,
  RESULTS_CHANNEL_ID,
  seedAlliance,
  type BotHarness,
} from '../support/botHarness.ts';
import { it } from '../support/fixtures.ts';
import type { StoredMessage } from '@giftbot/fake-discord';
import { giftCode } from '../../src/game/giftCode.ts';

const resultsWith = (harness: BotHarness, title: RegExp) => () =>
  harness.fake.channelMessages(RESULTS_CHANNEL_ID).find((m) => title.test(embedOf(m).title ?? ''));
const isSummary = (m: StoredMessage) =>
  /redeemed|did not get it|cannot be redeemed|stopped/.test(embedOf(m).title ?? '');

describe('runs shown in the results channel', () => {
  it('an automatic run posts its progress, then its summary, in the results channel', async ({ startBot }) => {
    const h = await startBot({ sim: { latencyMs: 20 } });
    const fids = await seedAlliance(h, { count: 20 });
    h.sim.addCode('wos', 'AUTO100');
    const summary = await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('AUTO100'), { trigger: 'auto' });
    expect(summary.status).toBe('completed');

    const posted = await h.fake.waitFor(resultsWith(h, /AUTO100 redeemed/), 15_000);
    expect(embedOf(posted).color).toBe(0x57f287);
    expect(embedFields(posted)['✅ Success']).toBe(String(h.sim.successes('wos', 'AUTO100').length));
    expect(h.sim.successes('wos', 'AUTO100')).toHaveLength(fids.length);
    expect(embedOf(posted).footer?.text).toContain('started automatically for a new code');
    // One message: posted with the progress, then edited into the summary.
    const channelCalls = h.fake.calls.filter((c) => c.path.startsWith(`/channels/${RESULTS_CHANNEL_ID}/messages`));
    expect(channelCalls[0]).toMatchObject({ method: 'POST' });
    expect(JSON.stringify(channelCalls[0]?.body)).toContain('Redeeming AUTO100');
    expect(channelCalls.slice(1).every((c) => c.method === 'PATCH' && c.path.endsWith(`/${posted.id}`))).toBe(true);
    expect(h.fake.channelMessages(RESULTS_CHANNEL_ID)).toHaveLength(1);
    h.assertClean();
  });

  it('a /redeem during an automatic run of the same code answers at once with a link to the results channel', async ({
    startBot,
  }) => {
    const h = await startBot();
    await seedAlliance(h, { count: 6 });
    h.sim.addCode('wos', 'BUSY200');
    h.sim.injectFault({ kind: 'slow', delayMs: 3_000, count: 1 }); // the first call (the probe) hangs a while
    const auto = h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('BUSY200'), { trigger: 'auto' });
    const progress = await h.fake.waitFor(resultsWith(h, /Redeeming BUSY200/), 10_000);

    const { token } = h.command({ name: 'redeem', options: { code: 'BUSY200' } });
    const reply = await h.reply(token);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain(
      '**BUSY200** is already being redeemed for this alliance — started automatically for a new code',
    );
    // A link to the progress message, or (in the instant before Discord has answered the post) its channel.
    expect(reply.content).toMatch(
      new RegExp(
        `\\nFollow it here: https://discord.com/channels/${GUILD_ID}/${RESULTS_CHANNEL_ID}/${progress.id}$|\\nIts progress is shown in <#${RESULTS_CHANNEL_ID}>\\.$`,
      ),
    );
    const status = h.command({ name: 'giftbot', subcommand: 'status' });
    const running = embedFields(await h.reply(status.token))['Runs in progress here (lock holders) · 1'];
    expect(running).toMatch(
      /^🔒 \*\*BUSY200\*\* · started automatically for a new code · \d\/6 · since <t:\d+:R> · run #\d+$/,
    );
    expect((await auto).status).toBe('completed');
    expect(h.sim.calls.filter((c) => c.cdk === 'BUSY200')).toHaveLength(6);
    await h.fake.waitFor(resultsWith(h, /BUSY200 redeemed/), 10_000);
    h.assertClean();
  });

  it('an automatic run for an alliance without a results channel posts nothing, and other servers see nothing', async ({
    startBot,
  }) => {
    const h = await startBot();
    await seedAlliance(h, { guildId: OTHER_GUILD_ID, count: 3, firstFid: 61_000_001 });
    h.sim.addCode('wos', 'QUIET300');
    const summary = await h.bot.app.engine.processAutoRedeem(OTHER_GUILD_ID, giftCode('QUIET300'), { trigger: 'auto' });
    expect(summary.counts.success).toBe(3);
    await h.bot.reporter.idle();
    expect(h.fake.calls.filter((c) => c.path.startsWith('/channels/'))).toEqual([]);
    h.assertClean();
  });

  it('a member added later gets the codes still valid (catch-up), reported in the results channel', async ({
    startBot,
  }) => {
    const h = await startBot();
    await seedAlliance(h, { count: 3 });
    h.sim.addCode('wos', 'CATCH600');
    await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('CATCH600'), { trigger: 'auto' });
    await h.fake.waitFor(resultsWith(h, /CATCH600 redeemed/), 10_000);
    h.sim.addPlayer('wos', { fid: '62000001', kid: 245 });
    const { token } = h.command({ name: 'member', subcommand: 'add', options: { fid: '62000001' } });
    expect((await h.reply(token)).content).toContain(
      `Any codes still valid are redeemed for them now (progress in <#${RESULTS_CHANNEL_ID}>).`,
    );
    const fake = h.fake;
    const caughtUp = await fake.waitFor(
      () =>
        fake
          .channelMessages(RESULTS_CHANNEL_ID)
          .find((m) => /catch-up/.test(embedOf(m).footer?.text ?? '') && isSummary(m)),
      10_000,
    );
    expect(embedOf(caughtUp).title).toBe('✅ CATCH600 redeemed for the alliance');
    expect(embedFields(caughtUp)['✅ Success']).toBe('1');
    expect(h.sim.successes('wos', 'CATCH600')).toContain('62000001');
    h.assertClean();
  });

  it('a member added while the code is running gets it right after that run, in a follow-up run posted to the results channel', async ({
    startBot,
  }) => {
    const h = await startBot();
    const fids = await seedAlliance(h, { count: 4 });
    h.sim.addCode('wos', 'LATE650');
    h.sim.injectFault({ kind: 'slow', delayMs: 1_500, count: 1 }); // the first call (the probe) hangs a while
    const auto = h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('LATE650'), { trigger: 'auto' });
    await h.fake.waitFor(resultsWith(h, /Redeeming LATE650/), 10_000);

    h.sim.addPlayer('wos', { fid: '62000002', kid: 245 });
    const { token } = h.command({ name: 'member', subcommand: 'add', options: { fid: '62000002' } });
    expect((await h.reply(token)).content).toContain('Any codes still valid are redeemed for them now');
    // The run in progress read its members before the new one came: it serves the four it knew.
    expect((await auto).counts.success).toBe(4);

    const fake = h.fake;
    const followUp = await fake.waitFor(
      () =>
        fake
          .channelMessages(RESULTS_CHANNEL_ID)
          .find((m) => /members added meanwhile/.test(embedOf(m).footer?.text ?? '') && isSummary(m)),
      10_000,
    );
    expect(embedOf(followUp).title).toBe('✅ LATE650 redeemed for the alliance');
    expect(embedFields(followUp)['✅ Success']).toBe('1');
    await h.bot.app.engine.idle();
    expect(h.sim.successes('wos', 'LATE650').sort()).toEqual([...fids, '62000002'].sort());
    // Everyone exactly once: the follow-up called only the new member.
    expect(h.sim.calls.filter((c) => c.cdk === 'LATE650')).toHaveLength(5);
    expect(h.logs.events('redeem.rerun_queued')).toHaveLength(1);
    h.assertClean();
  });

  it('progress edits are throttled: with a long interval a whole run shows its start, then only the summary', async ({
    startBot,
  }) => {
    const h = await startBot({ env: { DISCORD_PROGRESS_INTERVAL_MS: '60000' }, sim: { latencyMs: 10 } });
    await seedAlliance(h, { count: 12 });
    h.sim.addCode('wos', 'CALM700');
    const { token } = h.command({ name: 'redeem', options: { code: 'CALM700' } });
    await h.reply(token, isSummary, 15_000);
    const edits = h.calls(token).filter((c) => c.method === 'PATCH');
    // 12 members made 13 progress reports; Discord saw the first and then the summary.
    expect(edits.map((c) => (c.body as { embeds: Array<{ title: string }> }).embeds[0]?.title)).toEqual([
      '⏳ Redeeming CALM700',
      '✅ CALM700 redeemed for the alliance',
    ]);
    h.assertClean();
  });

  it('a run that outlives the interaction token continues in the results channel', async ({ startBot }) => {
    const h = await startBot({ interactionHandoffMs: 300 });
    await seedAlliance(h, { count: 5 });
    h.sim.addCode('wos', 'LONG400');
    h.sim.injectFault({ kind: 'slow', delayMs: 800, count: 1 });
    const { token } = h.command({ name: 'redeem', options: { code: 'LONG400' } });
    const summary = await h.fake.waitFor(resultsWith(h, /LONG400 redeemed/), 15_000);
    expect(embedFields(summary)['✅ Success']).toBe('5');
    const moved = await h.reply(token, (m) => /continues in/.test(embedOf(m).description ?? ''));
    expect(embedOf(moved).description).toContain(`/channels/${GUILD_ID}/${RESULTS_CHANNEL_ID}/${summary.id}`);
    expect(h.logs.events('discord.progress_moved')).toHaveLength(1);
    h.assertClean();
  });

  it('stopping the bot mid-run posts a red "run stopped" summary before the client closes', async ({ startBot }) => {
    const h = await startBot();
    await seedAlliance(h, { count: 4 });
    h.sim.addCode('wos', 'STOP500');
    h.sim.injectFault({ kind: 'slow', delayMs: 600, count: 1 });
    const { token } = h.command({ name: 'redeem', options: { code: 'STOP500' } });
    await h.reply(token, (m) => /Redeeming STOP500/.test(embedOf(m).title ?? ''));
    await h.bot.stop();
    const last = h.fake.interactionMessages(token)[0];
    expect(isSummary(last!)).toBe(true);
    expect(embedOf(last)).toMatchObject({ color: 0xed4245 });
    expect(embedOf(last).description).toContain('shutting down');
    h.assertClean();
  });
});

describe('unexpected failures', () => {
  it('are logged with context and answered with a generic apology', async ({ startBot }) => {
    const h = await startBot();
    await seedAlliance(h, { count: 1 });
    await h.bot.app.store.close(); // the database goes away under the bot
    const { token } = h.command({ name: 'member', subcommand: 'list' });
    const reply = await h.reply(token);
    expect(reply).toMatchObject({ ephemeral: true });
    expect(reply.content).toBe(
      'Sorry — something went wrong on my side. It has been logged; please try again in a moment.',
    );
    const [failure] = h.logs.events('discord.command_failed');
    expect(failure).toMatchObject({ level: 'error', guildId: GUILD_ID, command: '/member list' });
    expect(JSON.stringify(failure?.err)).toMatch(/database|closed|not open/i);
    expect(h.fake.unhandled).toEqual([]);
    expect(h.fake.gatewayErrors).toEqual([]);
  });
});
