// Test set-up of servers and alliances: what `store.guilds.upsert({ id, game, … })` did when a server was one
// alliance. Kept apart from fixtures.ts (which imports the harnesses) so the harnesses can use it too.
import type { Game } from '../../src/game/games.ts';
import type { Language } from '../../src/i18n/languages.ts';
import type { AllianceRecord, MemberRecord, NewMember, Store } from '../../src/store/types.ts';

export interface AllianceSpec {
  guildId: string;
  game: Game;
  defaultState: number | null;
  /** Default "main"; an alliance of that name already in the server is updated instead (like the old upsert). */
  name?: string;
  autoRedeem?: boolean;
  resultChannelId?: string | null;
  codesChannelId?: string | null;
  fanoutPriority?: number;
  language?: Language | null;
}

/** Creates (or updates) an alliance of a server, creating the server's row when missing. */
export async function addAlliance(store: Pick<Store, 'alliances'>, spec: AllianceSpec): Promise<AllianceRecord> {
  const { guildId, game, name = 'main', ...settings } = spec;
  const added = await store.alliances.add({ guildId, name, game, ...settings });
  if (added.created) return added.alliance;
  if (added.existing.game !== game) {
    throw new Error(`test set-up: alliance "${name}" of ${guildId} is a ${added.existing.game} alliance, not ${game}`);
  }
  const updated = await store.alliances.update(added.existing.id, settings);
  if (!updated) throw new Error(`test set-up: alliance "${name}" of ${guildId} vanished`);
  return updated;
}

/** The server's only alliance (or the one named): tests of one-alliance servers add members to it. */
export async function allianceOf(
  store: Pick<Store, 'alliances'>,
  guildId: string,
  name?: string,
): Promise<AllianceRecord> {
  const alliances = name
    ? [await store.alliances.byName(guildId, name)].filter((a) => a !== null)
    : await store.alliances.list({ guildId });
  if (alliances.length !== 1) {
    throw new Error(`test set-up: ${guildId} has ${alliances.length} alliance(s)${name ? ` named "${name}"` : ''}`);
  }
  return alliances[0]!;
}

/** Adds members to the server's only alliance (or the one named). */
export async function addMembers(
  store: Pick<Store, 'alliances' | 'members'>,
  guildId: string,
  members: readonly NewMember[],
  allianceName?: string,
): Promise<{ created: number; updated: number; moved: number }> {
  const alliance = await allianceOf(store, guildId, allianceName);
  return store.members.addMany(alliance.id, members);
}

/** Adds one member to the server's only alliance (or the one named). */
export async function addMember(
  store: Pick<Store, 'alliances' | 'members'>,
  guildId: string,
  member: NewMember,
  allianceName?: string,
): Promise<{ created: boolean; movedFrom: number | null; member: MemberRecord }> {
  const alliance = await allianceOf(store, guildId, allianceName);
  return store.members.add(alliance.id, member);
}
