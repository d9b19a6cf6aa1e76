import { escapeMarkdown } from 'discord.js';
import { chooseAlliance, listNames } from '../../../alliances/chooseAlliance.ts';
import type { AllianceRecord, Store } from '../../../store/types.ts';
import { UserError } from '../../userError.ts';

export const NO_ALLIANCE_TEXT =
  'This server has no alliance set up yet. Run `/alliance setup game:<game> state:<your state>` (or `/alliance add`) first.';

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
      throw new UserError(NO_ALLIANCE_TEXT);
    case 'unknown':
      throw new UserError(
        `This server has no alliance named "${escapeMarkdown(choice.name)}". Its alliances: ${escapeMarkdown(listNames(choice.names))}.`,
      );
    case 'ambiguous':
      throw new UserError(
        `This server has ${choice.names.length} alliances (${escapeMarkdown(listNames(choice.names))}): say which one with \`alliance:\`.`,
      );
  }
}

/** The server's alliances, or the "set one up first" message when it has none. */
export async function requireAlliances(store: Pick<Store, 'alliances'>, guildId: string): Promise<AllianceRecord[]> {
  const alliances = await store.alliances.list({ guildId });
  if (alliances.length === 0) throw new UserError(NO_ALLIANCE_TEXT);
  return alliances;
}
