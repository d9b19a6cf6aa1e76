// Turns sendCommand's plain options into the `data` of a chat-input INTERACTION_CREATE.
//
// Option-type rules:
//  1. If the command is registered (guild registration first, then global), its definition decides: the
//     subcommand / group must exist, every option name must be declared, required options must be given, the
//     value must fit the declared type (3 string, 4 integer, 10 number, 5 boolean, 6 user id of a member,
//     7 channel id of this guild honouring channel_types, 8 role id of this guild, 9 user or role id,
//     11 attachment) and its choices / min / max limits. Anything else throws: a real user could not send it.
//  2. If commands are registered but none has this name, sendCommand throws (Discord shows no such command).
//  3. If no command is registered at all, types are inferred from the values: string → 3 (string), except a
//     string that is the id of a channel of this guild → 7 (channel); integer number → 4 (integer), other number
//     → 10 (number); boolean → 5; { attachment } → 11.
import { ApplicationCommandOptionType, ApplicationCommandType } from 'discord-api-types/v10';
import type {
  APIAttachment,
  APIChatInputApplicationCommandInteractionData,
  APIInteractionDataResolved,
  APIInteractionDataResolvedChannel,
} from 'discord-api-types/v10';
import type { CommandStore, OptionDef } from './commands.ts';
import { snowflake } from './ids.ts';
import type { MessageStore } from './messages.ts';
import type { FakeState } from './state.ts';
import type { CommandOptionValue, SendCommandInput } from './types.ts';

const T = ApplicationCommandOptionType;

interface DataOption {
  type: number;
  name: string;
  value?: string | number | boolean;
  options?: DataOption[];
}

export interface BuiltCommand {
  data: APIChatInputApplicationCommandInteractionData;
}

export function buildCommandData(
  ctx: { state: FakeState; messages: MessageStore; commands: CommandStore },
  input: SendCommandInput,
): BuiltCommand {
  const { state, commands } = ctx;
  const resolved: Required<APIInteractionDataResolved> = {
    users: {},
    members: {},
    roles: {},
    channels: {},
    attachments: {},
  };
  const def = commands.findChatInput(input.guildId, input.name);
  if (!def && commands.anyRegistered()) {
    throw new Error(
      `fakeDiscord: sendCommand: /${input.name} is not registered (globally or in guild ${input.guildId})`,
    );
  }
  const given = input.options ?? {};
  let leafOptions: DataOption[];
  const label = `/${[input.name, input.subcommandGroup, input.subcommand].filter(Boolean).join(' ')}`;

  if (def) {
    let defs = (def.options ?? []) as OptionDef[];
    if (input.subcommandGroup !== undefined) {
      const group = defs.find((o) => o.type === T.SubcommandGroup && o.name === input.subcommandGroup);
      if (!group) throw new Error(`fakeDiscord: ${label}: no subcommand group '${input.subcommandGroup}' registered`);
      defs = group.options ?? [];
    }
    if (input.subcommand !== undefined) {
      const sub = defs.find((o) => o.type === T.Subcommand && o.name === input.subcommand);
      if (!sub) throw new Error(`fakeDiscord: ${label}: no subcommand '${input.subcommand}' registered`);
      defs = sub.options ?? [];
    } else if (defs.some((o) => o.type === T.Subcommand || o.type === T.SubcommandGroup)) {
      throw new Error(`fakeDiscord: ${label}: a subcommand is required`);
    }
    leafOptions = [];
    for (const [name, value] of Object.entries(given)) {
      const od = defs.find((o) => o.name === name);
      if (!od) throw new Error(`fakeDiscord: ${label}: option '${name}' is not registered`);
      leafOptions.push({ type: od.type, name, value: resolveValue(ctx, input, od, value, resolved, label) });
    }
    for (const od of defs) {
      if (od.required && !(od.name in given))
        throw new Error(`fakeDiscord: ${label}: required option '${od.name}' missing`);
    }
  } else {
    leafOptions = Object.entries(given).map(([name, value]) => ({
      type: inferType(state, input.guildId, value),
      name,
      value: resolveValue(ctx, input, undefined, value, resolved, label),
    }));
  }
  let options = leafOptions;
  if (input.subcommandGroup !== undefined && input.subcommand === undefined) {
    throw new Error(`fakeDiscord: ${label}: a subcommand group needs a subcommand`);
  }
  if (input.subcommand !== undefined) options = [{ type: T.Subcommand, name: input.subcommand, options }];
  if (input.subcommandGroup !== undefined)
    options = [{ type: T.SubcommandGroup, name: input.subcommandGroup, options }];

  const data: APIChatInputApplicationCommandInteractionData = {
    id: def?.id ?? snowflake(),
    name: input.name,
    type: ApplicationCommandType.ChatInput,
  };
  if (def?.guild_id) data.guild_id = def.guild_id;
  if (options.length > 0)
    data.options = options as NonNullable<APIChatInputApplicationCommandInteractionData['options']>;
  const usedResolved = Object.fromEntries(Object.entries(resolved).filter(([, v]) => Object.keys(v).length > 0));
  if (Object.keys(usedResolved).length > 0) data.resolved = usedResolved;
  return { data };
}

function inferType(state: FakeState, guildId: string, value: CommandOptionValue): number {
  if (typeof value === 'boolean') return T.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? T.Integer : T.Number;
  if (typeof value === 'object') return T.Attachment;
  if (state.channels.get(value)?.guildId === guildId) return T.Channel;
  return T.String;
}

function resolveValue(
  ctx: { state: FakeState; messages: MessageStore },
  input: SendCommandInput,
  od: OptionDef | undefined,
  value: CommandOptionValue,
  resolved: Required<APIInteractionDataResolved>,
  label: string,
): string | number | boolean {
  const { state } = ctx;
  const type = od?.type ?? inferType(state, input.guildId, value);
  const fail = (why: string): never => {
    throw new Error(`fakeDiscord: ${label}: option '${od?.name ?? '?'}' ${why}`);
  };
  switch (type) {
    case T.String: {
      if (typeof value !== 'string') return fail('expects a string');
      const n = [...value].length;
      if (od?.min_length !== undefined && n < od.min_length) fail(`is shorter than min_length ${od.min_length}`);
      if (od?.max_length !== undefined && n > od.max_length) fail(`is longer than max_length ${od.max_length}`);
      if (n > 6000) fail('is longer than 6000');
      checkChoices(od, value, fail);
      return value;
    }
    case T.Integer:
    case T.Number: {
      if (typeof value !== 'number' || (type === T.Integer && !Number.isInteger(value))) {
        return fail(type === T.Integer ? 'expects an integer' : 'expects a number');
      }
      if (od?.min_value !== undefined && value < od.min_value) fail(`is below min_value ${od.min_value}`);
      if (od?.max_value !== undefined && value > od.max_value) fail(`is above max_value ${od.max_value}`);
      checkChoices(od, value, fail);
      return value;
    }
    case T.Boolean:
      if (typeof value !== 'boolean') return fail('expects a boolean');
      return value;
    case T.Channel: {
      const channel = typeof value === 'string' ? state.channels.get(value) : undefined;
      if (!channel || channel.guildId !== input.guildId) return fail(`expects a channel id of guild ${input.guildId}`);
      if (od?.channel_types && !od.channel_types.includes(channel.type))
        fail(`does not allow channel type ${channel.type}`);
      const api = state.apiChannel(channel);
      const rc: APIInteractionDataResolvedChannel = {
        id: api.id,
        name: api.name,
        type: api.type,
        permissions: state.memberPermissions(input.guildId, input.userId).toString(),
      } as APIInteractionDataResolvedChannel;
      resolved.channels[channel.id] = rc;
      return channel.id;
    }
    case T.User:
    case T.Mentionable: {
      if (typeof value !== 'string') return fail('expects an id');
      const guild = state.requireGuild(input.guildId);
      if (guild.members.has(value)) {
        resolved.users[value] = state.apiUser(value);
        const { user: _u, deaf: _d, mute: _m, ...member } = state.apiMember(input.guildId, value);
        resolved.members[value] = { ...member, permissions: state.memberPermissions(input.guildId, value).toString() };
        return value;
      }
      const role = guild.roles.get(value);
      if (type === T.Mentionable && role) {
        resolved.roles[value] = state.apiRole(role);
        return value;
      }
      return fail(`expects the user id of a member of guild ${input.guildId}`);
    }
    case T.Role: {
      const role = typeof value === 'string' ? state.guilds.get(input.guildId)?.roles.get(value) : undefined;
      if (!role) return fail(`expects a role id of guild ${input.guildId}`);
      resolved.roles[role.id] = state.apiRole(role);
      return role.id;
    }
    case T.Attachment: {
      if (typeof value !== 'object') return fail('expects { attachment: { filename, content } }');
      const a = ctx.messages.addAttachment({
        filename: value.attachment.filename,
        data: Buffer.from(value.attachment.content, 'utf8'),
        ...(value.attachment.contentType ? { contentType: value.attachment.contentType } : {}),
        ephemeral: true,
      });
      const api: APIAttachment = ctx.messages.apiAttachment(a);
      resolved.attachments[a.id] = api;
      return a.id;
    }
    default:
      return fail(`has unsupported type ${type}`);
  }
}

function checkChoices(od: OptionDef | undefined, value: string | number, fail: (why: string) => never): void {
  if (od?.choices && od.choices.length > 0 && !od.choices.some((c) => c.value === value)) {
    fail(`value ${JSON.stringify(value)} is not one of its choices`);
  }
}
