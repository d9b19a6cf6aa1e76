// Autocomplete: the INTERACTION_CREATE (type 4) Discord sends while a member types into an option declared with
// `autocomplete: true`, and the checks on the bot's answer (callback type 8, at most 25 choices). Unlike a command,
// the options are partial (nothing is required yet) and the focused one carries whatever was typed so far.
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord-api-types/v10';
import type { CommandStore, OptionDef } from './commands.ts';
import { FormErrors } from './errors.ts';
import type { HttpResult } from './errors.ts';
import type { SendAutocompleteInput } from './types.ts';

const T = ApplicationCommandOptionType;

interface DataOption {
  type: number;
  name: string;
  value?: string | number | boolean;
  focused?: boolean;
  options?: DataOption[];
}

/** The `data` of an autocomplete interaction; throws what a real client could not send. */
export function buildAutocompleteData(commands: CommandStore, input: SendAutocompleteInput): Record<string, unknown> {
  const label = `/${[input.name, input.subcommandGroup, input.subcommand].filter(Boolean).join(' ')}`;
  const def = commands.findChatInput(input.guildId, input.name);
  if (!def) throw new Error(`fakeDiscord: sendAutocomplete: ${label} is not registered`);
  let defs = (def.options ?? []) as OptionDef[];
  if (input.subcommandGroup !== undefined)
    defs = defs.find((o) => o.type === T.SubcommandGroup && o.name === input.subcommandGroup)?.options ?? [];
  if (input.subcommand !== undefined) {
    const sub = defs.find((o) => o.type === T.Subcommand && o.name === input.subcommand);
    if (!sub) throw new Error(`fakeDiscord: sendAutocomplete: ${label}: no such subcommand registered`);
    defs = sub.options ?? [];
  }
  const focusedDef = defs.find((o) => o.name === input.focused);
  if (!focusedDef?.autocomplete)
    throw new Error(`fakeDiscord: sendAutocomplete: ${label}: option '${input.focused}' does not have autocomplete`);
  const given = { ...input.options, [input.focused]: input.typed };
  let options: DataOption[] = Object.entries(given).map(([name, value]) => {
    const od = defs.find((o) => o.name === name);
    if (!od) throw new Error(`fakeDiscord: sendAutocomplete: ${label}: option '${name}' is not registered`);
    // While typing, Discord sends the raw text of the focused option whatever its type.
    return { type: od.type, name, value, ...(name === input.focused ? { focused: true } : {}) };
  });
  if (input.subcommand !== undefined) options = [{ type: T.Subcommand, name: input.subcommand, options }];
  if (input.subcommandGroup !== undefined)
    options = [{ type: T.SubcommandGroup, name: input.subcommandGroup, options }];
  return { id: def.id, name: input.name, type: ApplicationCommandType.ChatInput, options };
}

/** Checks an autocomplete answer like Discord: an array of at most 25 choices, names and values 1–100 long. */
export function validateChoices(data: unknown): { choices: { name: string; value: string | number }[] } | HttpResult {
  const errors = new FormErrors();
  const choices = (data as { choices?: unknown } | undefined)?.choices;
  if (!Array.isArray(choices)) {
    errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return errors.result() as HttpResult;
  }
  if (choices.length > 25) errors.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  choices.forEach((choice: { name?: unknown; value?: unknown }, i) => {
    if (typeof choice?.name !== 'string' || choice.name.length < 1 || choice.name.length > 100)
      errors.add(['data', 'choices', i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    const v = choice?.value;
    if (!(typeof v === 'number' || (typeof v === 'string' && v.length >= 1 && v.length <= 100)))
      errors.add(['data', 'choices', i, 'value'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  });
  const result = errors.result();
  if (result) return result as HttpResult;
  return { choices: choices as { name: string; value: string | number }[] };
}
