import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { shardOfGuild } from '../../src/sharding/shardScope.ts';
import { analyzeCalls } from '../support/cluster/clusterAnalysis.ts';
import { finishedRunsWithCalls, startCluster, waitForFinal, type Cluster } from '../support/cluster/clusterHarness.ts';
import { addAlliance } from '../support/alliances.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A guild id (snowflake) that Discord puts on shard `n % 2` of 2. */
const guildOn = (n: number): string => String((1_100_000_000_000n + BigInt(n)) << 22n);

describe('two shard processes (as discord.js ShardingManager starts them: SHARDS, SHARD_COUNT)', () => {
  it('the feeds are polled once, each shard redeems only its own guilds, and a code found by the poller reaches every shard', async () => {
    cluster = await startCluster({ workers: 0, sim: { latencyMs: { min: 10, max: 40 } } });
    const code = 'SHARDED1';
    cluster.sim.addCode('wos', code);
    const guilds = [0, 1, 2, 3].map((n) => guildOn(n));
    expect(guilds.map((id) => shardOfGuild(id, 2))).toEqual([0, 1, 0, 1]);
    const fidsByGuild = new Map<string, string[]>();
    for (const [i, guildId] of guilds.entries()) {
      const alliance = await addAlliance(cluster.store, { guildId, game: 'wos', defaultState: 245, autoRedeem: true });
      const fids = Array.from({ length: 10 }, (_, k) => String(66_000_001 + i * 100 + k));
      cluster.sim.addPlayers(
        'wos',
        fids.map((fid) => ({ fid, kid: 245 })),
      );
      await cluster.store.members.addMany(
        alliance.id,
        fids.map((fid) => ({ fid, state: 245 })),
      );
      fidsByGuild.set(guildId, fids);
    }
    cluster.sim.setFeed('codes', { format: 'list', codes: [code] });
    const shardEnv = {
      WORKER_DISCOVERY: '1',
      SHARD_COUNT: '2',
      SHARD_FOLLOW_MS: '300',
      CODE_FEEDS: JSON.stringify([{ url: cluster.sim.feedUrl('codes'), game: 'wos', format: 'list', name: 'test' }]),
      FEED_POLL_MIN_MS: '300',
      FEED_POLL_MAX_MS: '500',
      EXPECTED_PROCESSES: '2',
      LOG_LEVEL: 'debug', // feed polls are logged at debug
    };
    const [shard0, shard1] = await Promise.all([
      cluster.spawn('shard0', { ...shardEnv, SHARDS: '0' }),
      cluster.spawn('shard1', { ...shardEnv, SHARDS: '1' }),
    ]);

    const rows = await waitForFinal(cluster, code, 40, 30_000, 'success');
    expect(analyzeCalls(cluster.sim.calls, code, rows)).toMatchObject({ calls: 40, repeatCalls: 0, lostResults: 0 });

    // Polled once for the whole bot: by shard 0's process only.
    expect(shard0.events(EVENTS.feedPollOk).length).toBeGreaterThan(0);
    expect(shard0.events(EVENTS.codeDiscovered)).toHaveLength(1);
    expect(shard1.events(EVENTS.codeDiscovered)).toHaveLength(0);
    expect(shard1.events(EVENTS.feedPollOk)).toHaveLength(0);
    expect(shard1.events(EVENTS.feedPollFailed)).toHaveLength(0);
    // Each guild's redemption ran in the process serving its shard.
    for (const guildId of guilds) {
      const working = await finishedRunsWithCalls(cluster, guildId, code);
      // (shard 0's first guild also has the one-member check of the new code as a run of its own)
      expect([...new Set(working.map((run) => run.owner))]).toEqual([
        shardOfGuild(guildId, 2) === 0 ? 'shard0' : 'shard1',
      ]);
    }
    // Shard 1 took the code up from the store: by following it, or — when its own start-up was slower than shard 0's
    // first poll (a loaded machine) — by resuming the fan-out it found started. Either way it says so in its log, and
    // the line travels through a pipe, so it may arrive after the ledger rows.
    const takenUp = () =>
      shard1.events(EVENTS.codeFanout).some((line) => line.phase === 'followed' && line.code === code) ||
      shard1.events(EVENTS.codeResumed).some((line) => Array.isArray(line.codes) && line.codes.includes(`wos:${code}`));
    for (const until = Date.now() + 15_000; !takenUp() && Date.now() < until;)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(takenUp()).toBe(true);
    expect(cluster.sqliteBusy()).toBe(0);
  });
});
