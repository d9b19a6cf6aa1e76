import type { AutocompleteInteraction } from 'discord.js';
import type { Store } from '../../store/types.ts';

/** Discord shows at most 25 suggestions. */
export const MAX_SUGGESTIONS = 25;

/** The options that name an alliance by its name (every command's `alliance:`). */
export const ALLIANCE_OPTION = 'alliance';

/**
 * Suggestions for an `alliance:` option: the server's alliance names containing what was typed (case-insensitive),
 * those starting with it first, at most 25. Only this server's alliances: the guild comes from the interaction.
 */
export async function suggestAlliances(
  store: Pick<Store, 'alliances'>,
  guildId: string,
  typed: string,
): Promise<{ name: string; value: string }[]> {
  const needle = typed.trim().toLowerCase();
  const names = (await store.alliances.list({ guildId })).map((alliance) => alliance.name);
  const starts = names.filter((name) => name.toLowerCase().startsWith(needle));
  const contains = names.filter((name) => !starts.includes(name) && name.toLowerCase().includes(needle));
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS).map((name) => ({ name, value: name }));
}

/** Answers an autocomplete interaction; options other than `alliance:` get no suggestions. */
export async function answerAutocomplete(interaction: AutocompleteInteraction, store: Pick<Store, 'alliances'>) {
  const focused = interaction.options.getFocused(true);
  if (focused.name !== ALLIANCE_OPTION || !interaction.guildId) {
    await interaction.respond([]);
    return;
  }
  await interaction.respond(await suggestAlliances(store, interaction.guildId, String(focused.value)));
}
