import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../store/types.ts';
import type { Discovery } from '../codes/createDiscovery.ts';
import { EVENTS } from '../log/events.ts';
import { createShardFollower } from './shardFollower.ts';
import { pollsFeeds } from './shardScope.ts';

/**
 * Starts code discovery the way this process's place among the shards asks: the feeds are polled once for the whole
 * bot (by the process serving shard 0, or by the only process when not sharded), and every shard follows the codes
 * found elsewhere for its own alliances. Returns what to stop on shutdown (before discovery.stop()).
 */
export function startShardedDiscovery(
  app: { config: Pick<Config, 'coordination'>; log: Logger; store: Store },
  discovery: Discovery,
): { stop(): Promise<void> } {
  const scope = app.config.coordination.shards;
  if (pollsFeeds(scope)) discovery.start();
  else
    app.log.info(
      { event: EVENTS.feedStateChanged, shards: scope?.ids, shardCount: scope?.count },
      'feeds are polled by the process of shard 0; this one follows the codes it finds',
    );
  if (!scope) return { stop: async () => {} };
  const follower = createShardFollower({
    store: app.store,
    intake: discovery.intake,
    log: app.log,
    intervalMs: app.config.coordination.shardFollowMs,
  });
  follower.start();
  return { stop: () => follower.stop() };
}
