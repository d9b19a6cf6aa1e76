import { describe, expect } from 'vitest';
import type { StoredMessage } from '@giftbot/fake-discord';
import { giftCode } from '../../src/game/giftCode.ts';
import type { Game } from '../../src/game/games.ts';
import { addAlliance } from '../support/alliances.ts';
import { embedFields, embedOf, GUILD_ID, RESULTS_CHANNEL_ID, type BotHarness } from '../support/botHarness.ts';
import { callsPerFid } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';

const BEARS_CHANNEL_ID = '910000000000000031';
const KINGS_CHANNEL_ID = '910000000000000032';
const EXTRA_CHANNELS = [
  { id: BEARS_CHANNEL_ID, name: 'bears-results' },
  { id: KINGS_CHANNEL_ID, name: 'kings-results' },
];

async function seed(
  h: BotHarness,
  spec: { name: string; game: Game; state: number; count: number; firstFid: number; channel: string },
) {
  const alliance = await addAlliance(h.bot.app.store, {
    guildId: GUILD_ID,
    name: spec.name,
    game: spec.game,
    defaultState: spec.state,
    autoRedeem: true,
    resultChannelId: spec.channel,
  });
  const fids = Array.from({ length: spec.count }, (_, i) => String(spec.firstFid + i));
  h.sim.addPlayers(
    spec.game,
    fids.map((fid) => ({ fid, kid: spec.state })),
  );
  await h.bot.app.store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state: spec.state })),
  );
  return { id: alliance.id, fids };
}

async function threeAlliances(h: BotHarness) {
  return {
    wolves: await seed(h, {
      name: 'Wolves',
      game: 'wos',
      state: 245,
      count: 5,
      firstFid: 81_000_001,
      channel: RESULTS_CHANNEL_ID,
    }),
    bears: await seed(h, {
      name: 'Bears',
      game: 'wos',
      state: 246,
      count: 4,
      firstFid: 82_000_001,
      channel: BEARS_CHANNEL_ID,
    }),
    kings: await seed(h, {
      name: 'Kings',
      game: 'kingshot',
      state: 9,
      count: 3,
      firstFid: 83_000_001,
      channel: KINGS_CHANNEL_ID,
    }),
  };
}

const summaryIn = (h: BotHarness, channelId: string, title: RegExp) => () =>
  h.fake.channelMessages(channelId).find((m: StoredMessage) => title.test(embedOf(m).title ?? ''));

describe('alliances in Discord', () => {
  it('an automatic run over two alliances posts each alliance’s summary in its own results channel', async ({
    startBot,
  }) => {
    const h = await startBot({ extraChannels: EXTRA_CHANNELS });
    await threeAlliances(h);
    h.sim.addCode('wos', 'SPLIT1');
    const summary = await h.bot.app.engine.processAutoRedeem(GUILD_ID, giftCode('SPLIT1'), {
      trigger: 'auto',
      game: 'wos',
    });
    expect(summary.status).toBe('completed');

    const wolves = await h.fake.waitFor(summaryIn(h, RESULTS_CHANNEL_ID, /SPLIT1 redeemed .* · Wolves/), 15_000);
    const bears = await h.fake.waitFor(summaryIn(h, BEARS_CHANNEL_ID, /SPLIT1 redeemed .* · Bears/), 15_000);
    expect(embedFields(wolves)['✅ Success']).toBe('5');
    expect(embedFields(bears)['✅ Success']).toBe('4');
    expect(embedOf(bears).description).toBe('SPLIT1: 4 of 4 members have it (4 new, 0 already had it).');
    await h.bot.reporter.idle();
    expect(h.fake.channelMessages(RESULTS_CHANNEL_ID)).toHaveLength(1);
    expect(h.fake.channelMessages(BEARS_CHANNEL_ID)).toHaveLength(1);
    expect(h.fake.channelMessages(KINGS_CHANNEL_ID)).toHaveLength(0);
    expect(h.sim.calls.filter((call) => call.game === 'kingshot')).toHaveLength(0);
    h.assertClean();
  });

  it('/redeem alliance: calls only that alliance; a /redeem for the other one meanwhile is queued, then runs', async ({
    startBot,
  }) => {
    const h = await startBot({ extraChannels: EXTRA_CHANNELS });
    const { wolves, bears } = await threeAlliances(h);
    h.sim.addCode('wos', 'ONEBYONE');
    h.sim.injectFault({ kind: 'slow', delayMs: 2_000, count: 1 }); // the first call (the probe) hangs a while

    const first = h.command({ name: 'redeem', options: { code: 'ONEBYONE', alliance: 'Wolves' } });
    await h.fake.waitFor(() => (h.bot.app.activeRuns.list().length === 1 ? true : undefined), 10_000);
    const second = h.command({ name: 'redeem', options: { code: 'ONEBYONE', alliance: 'bears' } });
    const queued = await h.reply(second.token);
    expect(queued.ephemeral).toBe(true);
    expect(queued.content).toContain('Bears will get it right after that run');

    const done = await h.reply(first.token, (m) => /redeemed/.test(embedOf(m).title ?? ''), 20_000);
    expect(embedFields(done)['✅ Success']).toBe('5');
    // The queued run is the engine's rerun: it reports in Bears' own results channel.
    const rerun = await h.fake.waitFor(summaryIn(h, BEARS_CHANNEL_ID, /ONEBYONE redeemed/), 20_000);
    expect(embedFields(rerun)['✅ Success']).toBe('4');
    const perFid = callsPerFid(h.sim, 'ONEBYONE');
    expect([...perFid.keys()].sort()).toEqual([...wolves.fids, ...bears.fids].sort());
    expect([...perFid.values()].every((n) => n === 1)).toBe(true);
    h.assertClean();
  });

  it('/redeem in a server with both games and no game or alliance named: a clear error, nothing sent', async ({
    startBot,
  }) => {
    const h = await startBot({ extraChannels: EXTRA_CHANNELS });
    await threeAlliances(h);
    h.sim.addCode('wos', 'WHICHONE');
    const ambiguous = h.command({ name: 'redeem', options: { code: 'WHICHONE' } });
    const reply = await h.reply(ambiguous.token);
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('This server has alliances of both games');
    const unknown = h.command({ name: 'redeem', options: { code: 'WHICHONE', alliance: 'Owls' } });
    expect((await h.reply(unknown.token)).content).toContain('This server has no alliance named "Owls"');
    expect(h.sim.calls.filter((call) => call.cdk === 'WHICHONE')).toHaveLength(0);

    const kings = h.command({ name: 'redeem', options: { code: 'WHICHONE', game: 'kingshot' } });
    await h.reply(kings.token, (m) => (m.embeds?.length ?? 0) > 0, 15_000);
    expect(h.sim.calls.filter((call) => call.cdk === 'WHICHONE' && call.game === 'wos')).toHaveLength(0);
    h.assertClean();
  });
});
