// The REST route table (paths relative to /api/v10).
import { ChannelType, MessageFlags, PermissionFlagsBits } from 'discord-api-types/v10';
import type { CommandStore } from './commands.ts';
import type { DirectMessages } from './directMessages.ts';
import { apiError, noContent, ok, unknownChannel, unknownGuild, unknownMessage } from './errors.ts';
import type { HttpResult } from './errors.ts';
import type { GatewayEvents } from './events.ts';
import type { Interactions } from './interactions.ts';
import { isEphemeral, isValidEmoji, validateMessagePayload } from './messages.ts';
import type { MessageRec, MessageStore } from './messages.ts';
import type { Route, RouteContext } from './server.ts';
import type { ChannelRec, FakeState } from './state.ts';

export interface RouteWorld {
  state: FakeState;
  messages: MessageStore;
  commands: CommandStore;
  interactions: Interactions;
  events: GatewayEvents;
  dms: DirectMessages;
  gatewayUrl(): string;
}

const P = PermissionFlagsBits;
const CROSSPOSTED = MessageFlags.Crossposted as number;

export function restRoutes(w: RouteWorld): Route[] {
  const { state, messages, commands, interactions, events, dms } = w;
  const botId = state.cfg.botUserId;
  const appId = state.cfg.applicationId;

  const route = (method: string, pattern: string, handle: (ctx: RouteContext) => HttpResult, auth = true): Route => ({
    method,
    pattern,
    auth,
    handle,
  });

  const missingPermissions = (): HttpResult => apiError(403, 50013, 'Missing Permissions');
  const missingAccess = (): HttpResult => apiError(403, 50001, 'Missing Access');
  const botHas = (guildId: string, perms: bigint): boolean =>
    (state.memberPermissions(guildId, botId) & perms) === perms;

  const withChannel = (ctx: RouteContext, fn: (c: ChannelRec) => HttpResult): HttpResult => {
    const channel = state.channels.get(ctx.params.channelId ?? '');
    if (!channel) return unknownChannel();
    if (!botHas(channel.guildId, P.ViewChannel)) return missingAccess();
    return fn(channel);
  };
  const withMessage = (ctx: RouteContext, fn: (c: ChannelRec, m: MessageRec) => HttpResult): HttpResult =>
    withChannel(ctx, (channel) => {
      const m = messages.messages.get(ctx.params.messageId ?? '');
      if (!m || m.deleted || m.channelId !== channel.id || isEphemeral(m)) return unknownMessage();
      return fn(channel, m);
    });
  const withGuild = (ctx: RouteContext, fn: (guildId: string) => HttpResult): HttpResult => {
    const guildId = ctx.params.guildId ?? '';
    return state.guilds.has(guildId) ? fn(guildId) : unknownGuild();
  };
  const forApp = (ctx: RouteContext, fn: () => HttpResult): HttpResult =>
    ctx.params.appId === appId ? fn() : missingAccess();
  const forAppGuild = (ctx: RouteContext, fn: (guildId: string) => HttpResult): HttpResult =>
    forApp(ctx, () => (state.guilds.has(ctx.params.guildId ?? '') ? fn(ctx.params.guildId ?? '') : missingAccess()));

  const botUser = (): unknown => ({ ...state.apiUser(botId), verified: true, mfa_enabled: false, locale: 'en-US' });

  return [
    // ---- gateway / identity ----
    route('GET', '/gateway', () => ok({ url: w.gatewayUrl() }), false),
    route('GET', '/gateway/bot', () =>
      ok({
        url: w.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      }),
    ),
    route('GET', '/users/@me', () => ok(botUser())),
    route('POST', '/users/@me/channels', (ctx) => dms.open(ctx.body)),
    route('GET', '/users/:userId', (ctx) => {
      const id = ctx.params.userId ?? '';
      return state.users.has(id) ? ok(state.apiUser(id)) : apiError(404, 10013, 'Unknown User');
    }),
    route('GET', '/applications/@me', () =>
      ok({
        id: appId,
        name: state.cfg.botUsername,
        icon: null,
        description: '',
        summary: '',
        type: null,
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        team: null,
        bot: botUser(),
        owner: { id: '1', username: 'owner', discriminator: '0', global_name: null, avatar: null },
        approximate_guild_count: state.guilds.size,
      }),
    ),

    // ---- application commands ----
    route('GET', '/applications/:appId/commands', (ctx) => forApp(ctx, () => ok(commands.list()))),
    route('PUT', '/applications/:appId/commands', (ctx) =>
      forApp(ctx, () => commands.bulkOverwrite(undefined, ctx.body)),
    ),
    route('POST', '/applications/:appId/commands', (ctx) => forApp(ctx, () => commands.createOne(undefined, ctx.body))),
    route('GET', '/applications/:appId/commands/:commandId', (ctx) =>
      forApp(ctx, () => commands.get(undefined, ctx.params.commandId ?? '')),
    ),
    route('PATCH', '/applications/:appId/commands/:commandId', (ctx) =>
      forApp(ctx, () => commands.edit(undefined, ctx.params.commandId ?? '', ctx.body)),
    ),
    route('DELETE', '/applications/:appId/commands/:commandId', (ctx) =>
      forApp(ctx, () => commands.delete(undefined, ctx.params.commandId ?? '')),
    ),
    route('GET', '/applications/:appId/guilds/:guildId/commands', (ctx) =>
      forAppGuild(ctx, (g) => ok(commands.list(g))),
    ),
    route('PUT', '/applications/:appId/guilds/:guildId/commands', (ctx) =>
      forAppGuild(ctx, (g) => commands.bulkOverwrite(g, ctx.body)),
    ),
    route('POST', '/applications/:appId/guilds/:guildId/commands', (ctx) =>
      forAppGuild(ctx, (g) => commands.createOne(g, ctx.body)),
    ),
    route('GET', '/applications/:appId/guilds/:guildId/commands/:commandId', (ctx) =>
      forAppGuild(ctx, (g) => commands.get(g, ctx.params.commandId ?? '')),
    ),
    route('PATCH', '/applications/:appId/guilds/:guildId/commands/:commandId', (ctx) =>
      forAppGuild(ctx, (g) => commands.edit(g, ctx.params.commandId ?? '', ctx.body)),
    ),
    route('DELETE', '/applications/:appId/guilds/:guildId/commands/:commandId', (ctx) =>
      forAppGuild(ctx, (g) => commands.delete(g, ctx.params.commandId ?? '')),
    ),

    // ---- interactions (no Authorization) ----
    route(
      'POST',
      '/interactions/:interactionId/:token/callback',
      (ctx) =>
        interactions.callback(ctx.params.interactionId ?? '', ctx.params.token ?? '', ctx.body, ctx.files, ctx.query),
      false,
    ),
    route(
      'POST',
      '/webhooks/:appId/:token',
      (ctx) => interactions.followUp(ctx.params.appId ?? '', ctx.params.token ?? '', ctx.body, ctx.files, ctx.query),
      false,
    ),
    route(
      'GET',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) => interactions.webhookGet(ctx.params.appId ?? '', ctx.params.token ?? '', ctx.params.messageId ?? ''),
      false,
    ),
    route(
      'PATCH',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) =>
        interactions.webhookEdit(
          ctx.params.appId ?? '',
          ctx.params.token ?? '',
          ctx.params.messageId ?? '',
          ctx.body,
          ctx.files,
        ),
      false,
    ),
    route(
      'DELETE',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) => interactions.webhookDelete(ctx.params.appId ?? '', ctx.params.token ?? '', ctx.params.messageId ?? ''),
      false,
    ),

    // ---- channels & messages ----
    route('GET', '/channels/:channelId', (ctx) => withChannel(ctx, (c) => ok(state.apiChannel(c)))),
    route('POST', '/channels/:channelId/typing', (ctx) => withChannel(ctx, () => noContent())),
    route('GET', '/channels/:channelId/messages', (ctx) =>
      withChannel(ctx, (c) => {
        if (!botHas(c.guildId, P.ReadMessageHistory)) return ok([]);
        const limit = Math.min(Math.max(Number(ctx.query.limit ?? 50) || 50, 1), 100);
        let list = messages.inChannel(c.id).sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
        const { before, after } = ctx.query;
        if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
        if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
        return ok(list.slice(0, limit).map((m) => messages.toApi(m)));
      }),
    ),
    route('POST', '/channels/:channelId/messages', (ctx) =>
      dms.isDmChannel(ctx.params.channelId ?? '')
        ? dms.send(ctx.params.channelId ?? '', ctx.body, ctx.files)
        : withChannel(ctx, (c) => {
            if (!botHas(c.guildId, P.SendMessages)) return missingPermissions();
            if (ctx.files.length > 0 && !botHas(c.guildId, P.AttachFiles)) return missingPermissions();
            const v = validateMessagePayload(ctx.body, ctx.files, 'create');
            if ('error' in v) return v.error;
            const m = messages.create({
              channelId: c.id,
              guildId: c.guildId,
              authorId: botId,
              payload: v.payload,
              files: ctx.files,
            });
            events.messageCreate(m);
            return ok(messages.toApi(m));
          }),
    ),
    route('GET', '/channels/:channelId/messages/:messageId', (ctx) =>
      withMessage(ctx, (_c, m) => ok(messages.toApi(m))),
    ),
    route('PATCH', '/channels/:channelId/messages/:messageId', (ctx) =>
      withMessage(ctx, (_c, m) => {
        if (m.authorId !== botId) return apiError(403, 50005, 'Cannot edit a message authored by another user');
        const v = validateMessagePayload(ctx.body, ctx.files, 'edit');
        if ('error' in v) return v.error;
        messages.edit(m, v.payload, ctx.files);
        events.messageUpdate(m);
        return ok(messages.toApi(m));
      }),
    ),
    route('DELETE', '/channels/:channelId/messages/:messageId', (ctx) =>
      withMessage(ctx, (c, m) => {
        if (m.authorId !== botId && !botHas(c.guildId, P.ManageMessages)) return missingPermissions();
        m.deleted = true;
        events.messageDelete(m);
        return noContent();
      }),
    ),
    route('POST', '/channels/:channelId/messages/:messageId/crosspost', (ctx) =>
      withMessage(ctx, (c, m) => {
        if (c.type !== ChannelType.GuildAnnouncement)
          return apiError(400, 50024, 'Cannot execute action on this channel type');
        if ((m.flags & CROSSPOSTED) !== 0) return apiError(400, 40033, 'This message has already been crossposted.');
        if (m.authorId !== botId && !botHas(c.guildId, P.ManageMessages)) return missingPermissions();
        m.flags |= CROSSPOSTED;
        events.messageUpdate(m);
        return ok(messages.toApi(m));
      }),
    ),
    route('PUT', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', (ctx) =>
      withMessage(ctx, (c, m) => {
        if (!botHas(c.guildId, P.AddReactions | P.ReadMessageHistory)) return missingPermissions();
        const emoji = ctx.params.emoji ?? '';
        if (!isValidEmoji(emoji)) return apiError(400, 10014, 'Unknown Emoji');
        if (!m.reactions.includes(emoji)) {
          m.reactions.push(emoji);
          events.reactionAdd(m, emoji, botId);
        }
        return noContent();
      }),
    ),
    route('DELETE', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', (ctx) =>
      withMessage(ctx, (_c, m) => {
        m.reactions = m.reactions.filter((e) => e !== ctx.params.emoji);
        return noContent();
      }),
    ),

    // ---- guilds ----
    route('GET', '/guilds/:guildId', (ctx) =>
      withGuild(ctx, (g) => {
        const {
          members: _m,
          channels: _c,
          threads: _t,
          presences: _p,
          voice_states: _v,
          ...guild
        } = state.guildCreatePayload(g, false);
        return ok(guild);
      }),
    ),
    route('GET', '/guilds/:guildId/channels', (ctx) =>
      withGuild(ctx, (g) =>
        ok(
          state.requireGuild(g).channelIds.flatMap((id) => {
            const c = state.channels.get(id);
            return c ? [state.apiChannel(c)] : [];
          }),
        ),
      ),
    ),
    route('GET', '/guilds/:guildId/roles', (ctx) =>
      withGuild(ctx, (g) => ok([...state.requireGuild(g).roles.values()].map((r) => state.apiRole(r)))),
    ),
    route('GET', '/guilds/:guildId/members/:userId', (ctx) =>
      withGuild(ctx, (g) =>
        state.requireGuild(g).members.has(ctx.params.userId ?? '')
          ? ok(state.apiMember(g, ctx.params.userId ?? ''))
          : apiError(404, 10007, 'Unknown Member'),
      ),
    ),
    route('GET', '/guilds/:guildId/members', (ctx) =>
      withGuild(ctx, (g) => {
        const limit = Math.min(Math.max(Number(ctx.query.limit ?? 1) || 1, 1), 1000);
        const after = ctx.query.after ? BigInt(ctx.query.after) : -1n;
        const ids = [...state.requireGuild(g).members.keys()]
          .filter((id) => BigInt(id) > after)
          .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        return ok(ids.slice(0, limit).map((id) => state.apiMember(g, id)));
      }),
    ),
  ];
}
