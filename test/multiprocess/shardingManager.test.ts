import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { ShardingManager } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '@giftbot/fake-discord';
import { EVENTS } from '../../src/log/events.ts';
import { shardOfGuild } from '../../src/sharding/shardScope.ts';
import { analyzeCalls } from '../support/cluster/clusterAnalysis.ts';
import { finishedRunsWithCalls, startCluster, waitForFinal, type Cluster } from '../support/cluster/clusterHarness.ts';
import { addAlliance } from '../support/alliances.ts';

let cluster: Cluster | undefined;
let fake: FakeDiscord | undefined;
let manager: ShardingManager | undefined;
const savedEnv = { ...process.env };

afterEach(async () => {
  if (manager) {
    // SIGTERM: each shard stops gracefully (the same path as `docker stop`).
    await Promise.all(
      [...manager.shards.values()].map(
        (shard) =>
          new Promise<void>((done) => {
            const child = shard.process;
            if (!child || child.exitCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
  manager = undefined;
  process.env = { ...savedEnv };
  await fake?.close();
  await cluster?.close();
  fake = cluster = undefined;
});

const guildOn = (n: number): string => String((1_200_000_000_000n + BigInt(n)) << 22n);

describe('discord.js ShardingManager with an explicit shard count', () => {
  it('two shard processes: one feed poller, each shard redeems its own guilds, the new code reaches all of them', async () => {
    // The ShardingManager forks with the running Node: the project's Node 24 (TypeScript sources).
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
    cluster = await startCluster({ workers: 0, sim: { latencyMs: { min: 10, max: 40 } } });
    fake = await startFakeDiscord();
    const code = 'SHARDMGR1';
    cluster.sim.addCode('wos', code);
    const guilds = [0, 1, 2, 3].map(guildOn);
    for (const [i, guildId] of guilds.entries()) {
      fake.addGuild({ id: guildId, name: `Alliance ${i}` });
      const alliance = await addAlliance(cluster.store, { guildId, game: 'wos', defaultState: 245, autoRedeem: true });
      const fids = Array.from({ length: 8 }, (_, k) => String(67_000_001 + i * 100 + k));
      cluster.sim.addPlayers(
        'wos',
        fids.map((fid) => ({ fid, kid: 245 })),
      );
      await cluster.store.members.addMany(
        alliance.id,
        fids.map((fid) => ({ fid, state: 245 })),
      );
    }
    cluster.sim.setFeed('codes', { format: 'list', codes: [code] });

    // What every shard process reads (the manager passes its environment on, adding SHARDS and SHARD_COUNT).
    process.env = {
      PATH: savedEnv.PATH ?? '',
      ...cluster.env,
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
      CODE_FEEDS: JSON.stringify([{ url: cluster.sim.feedUrl('codes'), game: 'wos', format: 'list', name: 'test' }]),
      FEED_POLL_MIN_MS: '300',
      FEED_POLL_MAX_MS: '500',
      SHARD_FOLLOW_MS: '300',
      EXPECTED_PROCESSES: '2',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    };
    delete process.env.INSTANCE_ID; // each shard names itself hostname-pid
    manager = new ShardingManager(resolve(import.meta.dirname, '../../src/main.ts'), {
      totalShards: 2,
      token: fake.token,
      mode: 'process',
      respawn: false,
      silent: true,
      execArgv: ['--no-warnings'],
    });
    const logs = new Map<number, { event?: string; [key: string]: unknown }[]>();
    manager.on('shardCreate', (shard) => {
      const lines: { event?: string }[] = [];
      logs.set(shard.id, lines);
      const read = (stream: NodeJS.ReadableStream | null | undefined) => {
        if (!stream) return;
        createInterface({ input: stream }).on('line', (line) => {
          if (line.startsWith('{')) lines.push(JSON.parse(line) as { event?: string });
        });
      };
      // The process exists once the shard spawns it.
      shard.once('spawn', () => {
        read(shard.process?.stdout);
        read(shard.process?.stderr);
      });
    });
    await manager.spawn({ amount: 2, delay: 0, timeout: 60_000 });

    const rows = await waitForFinal(cluster, code, 32, 30_000, 'success');
    expect(analyzeCalls(cluster.sim.calls, code, rows)).toMatchObject({ calls: 32, repeatCalls: 0, lostResults: 0 });

    const events = (shard: number, event: string) => (logs.get(shard) ?? []).filter((line) => line.event === event);
    // One poller for the whole bot: shard 0's process.
    expect(events(0, EVENTS.feedPollOk).length).toBeGreaterThan(0);
    expect(events(1, EVENTS.feedPollOk)).toHaveLength(0);
    expect(events(0, EVENTS.codeDiscovered)).toHaveLength(1);
    expect(events(1, EVENTS.codeDiscovered)).toHaveLength(0);
    // Each guild's runs were made by the process of its shard.
    const ownerOf = (shard: number) => `-${manager!.shards.get(shard)!.process!.pid}`;
    for (const guildId of guilds) {
      const working = await finishedRunsWithCalls(cluster, guildId, code);
      for (const run of working) expect(run.owner.endsWith(ownerOf(shardOfGuild(guildId, 2)))).toBe(true);
    }
    // Each process's gateway connection carried its own shard's guilds only.
    expect(events(0, EVENTS.discordReady)[0]).toMatchObject({ guilds: 2 });
    expect(events(1, EVENTS.discordReady)[0]).toMatchObject({ guilds: 2 });
    expect(fake.gatewayErrors).toEqual([]);
  });
});
