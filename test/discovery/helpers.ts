import type { Game } from '../../src/game/games.ts';
import type { FeedFormat, FeedSource } from '../../src/codes/sources/feedSource.ts';
import type { CoreHarness } from '../support/coreHarness.ts';
import { addAlliance } from '../support/alliances.ts';

/** vi.waitFor options for these tests: generous (the machine is shared and may be slow). */
export const WAIT = { timeout: 20_000, interval: 20 };

export interface GuildSpec {
  id: string;
  game?: Game;
  state?: number;
  autoRedeem?: boolean;
  members: number;
  firstFid: number;
  priority?: number;
  codesChannelId?: string;
}

/** An alliance in the store whose members the simulator knows (same state). Returns its fids. */
export async function seedGuild(h: CoreHarness, spec: GuildSpec): Promise<string[]> {
  const game = spec.game ?? 'wos';
  const state = spec.state ?? 245;
  const alliance = await addAlliance(h.app.store, {
    guildId: spec.id,
    game,
    defaultState: state,
    autoRedeem: spec.autoRedeem ?? true,
    ...(spec.priority !== undefined ? { fanoutPriority: spec.priority } : {}),
    ...(spec.codesChannelId ? { codesChannelId: spec.codesChannelId } : {}),
  });
  const fids = Array.from({ length: spec.members }, (_, i) => String(spec.firstFid + i));
  h.sim.addPlayers(
    game,
    fids.map((fid) => ({ fid, kid: state })),
  );
  await h.app.store.members.addMany(
    alliance.id,
    fids.map((fid) => ({ fid, state })),
  );
  return fids;
}

/** Redemption calls the simulator received for a code (feeds and other paths excluded). */
export function redeemCalls(h: CoreHarness, code: string) {
  return h.sim.calls.filter((call) => call.cdk === code && call.path.endsWith('/gift_code'));
}

/** A feed served by the harness's simulator (its port is known only once it runs, so not through CODE_FEEDS). */
export function feedSource(
  h: CoreHarness,
  name: string,
  game: Game,
  extra: { apiKey?: string; format?: FeedFormat } = {},
): FeedSource {
  return { name, url: h.sim.feedUrl(name), game, format: extra.format ?? 'community', apiKey: extra.apiKey ?? null };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
