// Application command registration (global and per guild): bulk overwrite, create, edit, delete, with Discord's
// validation of names, descriptions and option structure, and ids that stay stable across overwrites (like Discord).
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord-api-types/v10';
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { apiError, FormErrors, noContent, ok } from './errors.ts';
import type { HttpResult } from './errors.ts';
import { snowflake } from './ids.ts';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export interface OptionDef {
  type: number;
  name: string;
  description?: string;
  required?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  options?: OptionDef[];
  channel_types?: number[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
}

type Body = Record<string, unknown>;

export class CommandStore {
  private global: APIApplicationCommand[] = [];
  private readonly guilds = new Map<string, APIApplicationCommand[]>();
  /** scope/type/name → id, so a command keeps its id across bulk overwrites as on Discord */
  private readonly ids = new Map<string, string>();
  readonly applicationId: string;

  constructor(applicationId: string) {
    this.applicationId = applicationId;
  }

  list(guildId?: string): APIApplicationCommand[] {
    return guildId === undefined ? this.global : (this.guilds.get(guildId) ?? []);
  }

  anyRegistered(): boolean {
    return this.global.length > 0 || [...this.guilds.values()].some((l) => l.length > 0);
  }

  /** Chat-input command by name: the guild's registration first, then the global one. */
  findChatInput(guildId: string, name: string): APIApplicationCommand | undefined {
    const match = (c: APIApplicationCommand): boolean => c.name === name && c.type === ApplicationCommandType.ChatInput;
    return this.list(guildId).find(match) ?? this.global.find(match);
  }

  bulkOverwrite(guildId: string | undefined, body: unknown): HttpResult {
    if (!Array.isArray(body))
      return apiError(400, 50035, 'Invalid Form Body', formError([], 'BASE_TYPE_ARRAY', 'Must be an array.'));
    const errors = new FormErrors();
    body.forEach((c: unknown, i) => validateCommand(c, [i], errors));
    const counts = new Map<number, number>();
    const names = new Set<string>();
    body.forEach((c: Body, i) => {
      const type = typeof c.type === 'number' ? c.type : ApplicationCommandType.ChatInput;
      counts.set(type, (counts.get(type) ?? 0) + 1);
      const key = `${type}/${String(c.name)}`;
      if (names.has(key))
        errors.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
      names.add(key);
    });
    if ((counts.get(ApplicationCommandType.ChatInput) ?? 0) > 100) {
      errors.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer chat input commands.');
    }
    const failed = errors.result();
    if (failed) return failed;
    const list = body.map((c: Body) => this.materialise(guildId, c));
    if (guildId === undefined) this.global = list;
    else this.guilds.set(guildId, list);
    return ok(list);
  }

  createOne(guildId: string | undefined, body: unknown): HttpResult {
    const errors = new FormErrors();
    validateCommand(body, [], errors);
    const failed = errors.result();
    if (failed) return failed;
    const cmd = this.materialise(guildId, body as Body);
    const list = [...this.list(guildId)];
    const at = list.findIndex((c) => c.name === cmd.name && c.type === cmd.type);
    if (at >= 0) list[at] = cmd;
    else list.push(cmd);
    this.setList(guildId, list);
    return ok(cmd, at >= 0 ? 200 : 201);
  }

  get(guildId: string | undefined, id: string): HttpResult {
    const cmd = this.list(guildId).find((c) => c.id === id);
    return cmd ? ok(cmd) : apiError(404, 10063, 'Unknown application command');
  }

  edit(guildId: string | undefined, id: string, body: unknown): HttpResult {
    const list = [...this.list(guildId)];
    const at = list.findIndex((c) => c.id === id);
    const current = list[at];
    if (!current) return apiError(404, 10063, 'Unknown application command');
    const merged = { ...current, ...(body as Body) };
    const errors = new FormErrors();
    validateCommand(merged, [], errors);
    const failed = errors.result();
    if (failed) return failed;
    const cmd = this.materialise(guildId, merged);
    list[at] = cmd;
    this.setList(guildId, list);
    return ok(cmd);
  }

  delete(guildId: string | undefined, id: string): HttpResult {
    const list = this.list(guildId);
    if (!list.some((c) => c.id === id)) return apiError(404, 10063, 'Unknown application command');
    this.setList(
      guildId,
      list.filter((c) => c.id !== id),
    );
    return noContent();
  }

  private setList(guildId: string | undefined, list: APIApplicationCommand[]): void {
    if (guildId === undefined) this.global = list;
    else this.guilds.set(guildId, list);
  }

  private materialise(guildId: string | undefined, c: Body): APIApplicationCommand {
    const type = (typeof c.type === 'number' ? c.type : ApplicationCommandType.ChatInput) as ApplicationCommandType;
    const name = String(c.name);
    const key = `${guildId ?? 'global'}/${type}/${name}`;
    let id = this.ids.get(key);
    if (!id) {
      id = snowflake();
      this.ids.set(key, id);
    }
    const cmd: APIApplicationCommand = {
      id,
      application_id: this.applicationId,
      version: snowflake(),
      type,
      name,
      name_localizations: (c.name_localizations as APIApplicationCommand['name_localizations']) ?? null,
      description: typeof c.description === 'string' ? c.description : '',
      description_localizations:
        (c.description_localizations as APIApplicationCommand['description_localizations']) ?? null,
      default_member_permissions:
        typeof c.default_member_permissions === 'string' ? c.default_member_permissions : null,
      nsfw: c.nsfw === true,
      integration_types: (c.integration_types as APIApplicationCommand['integration_types']) ?? [0],
      contexts: (c.contexts as APIApplicationCommand['contexts']) ?? null,
    };
    if (guildId !== undefined) cmd.guild_id = guildId;
    else cmd.dm_permission = c.dm_permission !== false;
    if (Array.isArray(c.options) && c.options.length > 0)
      cmd.options = c.options as NonNullable<APIApplicationCommand['options']>;
    return cmd;
  }
}

function formError(path: Array<string | number>, code: string, message: string): FormErrors {
  const e = new FormErrors();
  e.add(path, code, message);
  return e;
}

function validateName(path: Array<string | number>, name: unknown, lowercase: boolean, errors: FormErrors): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    errors.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', `Command name is invalid`);
  } else if (lowercase && name !== name.toLowerCase()) {
    errors.add([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', `Command name must be lowercase`);
  }
}

function validateCommand(raw: unknown, path: Array<string | number>, errors: FormErrors): void {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  const c = raw as Body;
  const type = typeof c.type === 'number' ? c.type : ApplicationCommandType.ChatInput;
  if (![1, 2, 3, 4].includes(type))
    errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', `Value must be one of {1, 2, 3, 4}.`);
  const chatInput = type === ApplicationCommandType.ChatInput;
  validateName(path, c.name, chatInput, errors);
  if (chatInput) errors.lengthBetween([...path, 'description'], c.description, 1, 100);
  else if (c.description) {
    errors.add([...path, 'description'], 'APPLICATION_COMMAND_INVALID_DESCRIPTION', 'Description must be empty');
  }
  const dmp = c.default_member_permissions;
  if (dmp !== undefined && dmp !== null && !(typeof dmp === 'string' && /^\d+$/.test(dmp))) {
    errors.add(
      [...path, 'default_member_permissions'],
      'NUMBER_TYPE_COERCE',
      `Value "${String(dmp)}" is not snowflake.`,
    );
  }
  if (c.options !== undefined) {
    if (!chatInput)
      errors.add(
        [...path, 'options'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Only chat input commands have options',
      );
    else validateOptions(c.options, [...path, 'options'], 'top', errors);
  }
}

const SUB = ApplicationCommandOptionType.Subcommand as number;
const GROUP = ApplicationCommandOptionType.SubcommandGroup as number;

function validateOptions(
  raw: unknown,
  path: Array<string | number>,
  level: 'top' | 'group' | 'sub',
  errors: FormErrors,
): void {
  if (!Array.isArray(raw)) {
    errors.add(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (raw.length > 25) errors.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  const options = raw as OptionDef[];
  const structural = options.filter((o) => o.type === SUB || o.type === GROUP).length;
  if (structural > 0 && structural < options.length) {
    errors.add(
      path,
      'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      'Sub-command and sub-command group option types are mutually exclusive to all other types',
    );
  }
  const names = new Set<string>();
  let sawOptional = false;
  options.forEach((o, i) => {
    const p = [...path, i];
    validateName(p, o.name, true, errors);
    errors.lengthBetween([...p, 'description'], o.description, 1, 100);
    if (names.has(o.name))
      errors.add([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
    names.add(o.name);
    if (typeof o.type !== 'number' || o.type < 1 || o.type > 11) {
      errors.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, ..., 11}.');
      return;
    }
    if (o.type === GROUP) {
      if (level !== 'top')
        errors.add(
          [...p, 'type'],
          'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          'Sub-command groups can only be top-level',
        );
      validateOptions(o.options ?? [], [...p, 'options'], 'group', errors);
      return;
    }
    if (o.type === SUB) {
      if (level === 'sub')
        errors.add(
          [...p, 'type'],
          'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
          'Sub-commands cannot be nested in sub-commands',
        );
      if (o.options !== undefined) validateOptions(o.options, [...p, 'options'], 'sub', errors);
      return;
    }
    if (level === 'group')
      errors.add(
        [...p, 'type'],
        'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
        'Sub-command groups may only contain sub-commands',
      );
    if (o.required) {
      if (sawOptional)
        errors.add(
          [...p, 'required'],
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        );
    } else sawOptional = true;
    if (o.choices !== undefined) {
      if (!Array.isArray(o.choices) || o.choices.length > 25) {
        errors.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      } else {
        o.choices.forEach((ch, j) => {
          errors.lengthBetween([...p, 'choices', j, 'name'], ch.name, 1, 100);
          const wantString = o.type === ApplicationCommandOptionType.String;
          if (wantString ? typeof ch.value !== 'string' : typeof ch.value !== 'number') {
            errors.add(
              [...p, 'choices', j, 'value'],
              'BASE_TYPE_CHOICES',
              'Choice value type must match the option type',
            );
          } else if (wantString) errors.lengthBetween([...p, 'choices', j, 'value'], ch.value, 1, 100);
        });
      }
    }
  });
}
