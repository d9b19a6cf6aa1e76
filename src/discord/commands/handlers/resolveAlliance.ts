import { escapeMarkdown } from 'discord.js';
import { chooseAlliance } from '../../../alliances/chooseAlliance.ts';
import type { AllianceRecord, Store } from '../../../store/types.ts';
import { UserError } from '../../userError.ts';

/** "Set one up first": the server has no alliance yet. */
export function noAllianceError(): UserError {
  return UserError.fromCatalogue('alliance.none');
}

/**
 * The alliance a command acts on: the one named by its `alliance:` option, or the server's only alliance. Every
 * failure is a message naming the server's alliances, so the admin can pick one (autocomplete offers them too).
 */
export async function resolveAlliance(
  store: Pick<Store, 'alliances'>,
  guildId: string,
  name: string | null | undefined,
): Promise<AllianceRecord> {
  const choice = chooseAlliance(await store.alliances.list({ guildId }), name);
  switch (choice.kind) {
    case 'found':
      return choice.alliance;
    case 'none':
      throw noAllianceError();
    case 'unknown':
      throw UserError.fromCatalogue('alliance.unknown', {
        name: escapeMarkdown(choice.name),
        names: choice.names.map((n) => escapeMarkdown(n)),
      });
    case 'ambiguous':
      throw UserError.fromCatalogue('alliance.ambiguous', {
        count: choice.names.length,
        names: choice.names.map((n) => escapeMarkdown(n)),
      });
  }
}

/** The server's alliances, or the "set one up first" message when it has none. */
export async function requireAlliances(store: Pick<Store, 'alliances'>, guildId: string): Promise<AllianceRecord[]> {
  const alliances = await store.alliances.list({ guildId });
  if (alliances.length === 0) throw noAllianceError();
  return alliances;
}
