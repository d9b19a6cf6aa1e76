import type { GuildRecord, Store } from '../store/types.ts';

/**
 * Which Discord shards this process serves. discord.js's ShardingManager starts one process per shard and tells each
 * which one it is in `SHARDS` (a shard id, or a JSON list) and `SHARD_COUNT`; the discord.js client reads the same
 * variables, so a process's gateway connection and its giftbot work cover the same servers.
 */
export interface ShardScope {
  ids: number[];
  count: number;
}

/** Discord's rule: a guild lives on shard (guild_id >> 22) % shard_count. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

export function ownsGuild(scope: ShardScope, guildId: string): boolean {
  try {
    return scope.ids.includes(shardOfGuild(guildId, scope.count));
  } catch {
    return false; // not a snowflake: no shard serves it
  }
}

/** The feeds are polled by one process only: the one serving shard 0 (or every process when not sharded). */
export function pollsFeeds(scope: ShardScope | null): boolean {
  return scope === null || scope.ids.includes(0);
}

export function readShardScope(value: (key: string) => string | undefined, problems: string[]): ShardScope | null {
  const rawIds = value('SHARDS');
  const rawCount = value('SHARD_COUNT');
  if (rawIds === undefined && rawCount === undefined) return null;
  if (rawIds === undefined || rawCount === undefined) {
    problems.push('SHARDS and SHARD_COUNT go together (discord.js ShardingManager sets both); set both or neither');
    return null;
  }
  const count = Number(rawCount);
  let ids: unknown;
  try {
    ids = JSON.parse(rawIds);
  } catch {
    ids = undefined;
  }
  const list = typeof ids === 'number' ? [ids] : ids;
  if (!Number.isInteger(count) || count < 1) {
    problems.push(`SHARD_COUNT must be a whole number of at least 1, got "${rawCount}"`);
    return null;
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((id) => Number.isInteger(id) && id >= 0 && id < count)) {
    problems.push(
      `SHARDS must be a shard id or a JSON list of shard ids below SHARD_COUNT (${count}), got "${rawIds}"`,
    );
    return null;
  }
  return { ids: [...new Set(list as number[])].sort((a, b) => a - b), count };
}

/**
 * The store as one shard sees it: listing servers or alliances yields only those of the guilds this process's shards
 * serve, so the fan-out of a new code, the resume at start-up and state discovery each work on this shard's guilds.
 * Everything else (a guild or alliance by id, members, codes, the ledger, runs) is the shared store itself.
 */
export function scopeStoreToShards(store: Store, scope: ShardScope): Store {
  const guilds: Store['guilds']['list'] = async () =>
    (await store.guilds.list()).filter((guild: GuildRecord) => ownsGuild(scope, guild.id));
  const alliances: Store['alliances']['list'] = async (filter) =>
    (await store.alliances.list(filter)).filter((alliance) => ownsGuild(scope, alliance.guildId));
  return forward(
    forward(store, 'guilds', forward(store.guilds, 'list', guilds)),
    'alliances',
    forward(store.alliances, 'list', alliances),
  );
}

/** `target` with one property replaced; every other property and method is the target's own. */
function forward<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]): T {
  return new Proxy(target, {
    get(object, property) {
      if (property === key) return replacement;
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
