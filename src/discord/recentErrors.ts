/** The last few things that went wrong per server, for `/giftbot status` (kept in memory; the log has them all). */
export interface RecentError {
  at: number;
  what: string;
}

export interface RecentErrors {
  add(guildId: string, what: string): void;
  list(guildId: string): RecentError[];
}

export function createRecentErrors(perGuild = 5): RecentErrors {
  const byGuild = new Map<string, RecentError[]>();
  return {
    add(guildId, what) {
      const list = byGuild.get(guildId) ?? [];
      list.unshift({ at: Date.now(), what: what.slice(0, 200) });
      byGuild.set(guildId, list.slice(0, perGuild));
    },
    list: (guildId) => [...(byGuild.get(guildId) ?? [])],
  };
}
