// Gateway events derived from state changes, with Discord's intent rules (incl. MessageContent blanking).
import { GatewayDispatchEvents, GatewayIntentBits } from 'discord-api-types/v10';
import type { Gateway, GatewaySession } from './gateway.ts';
import { isEphemeral, parseEmoji } from './messages.ts';
import type { MessageRec, MessageStore } from './messages.ts';
import type { FakeState } from './state.ts';

const GUILDS = GatewayIntentBits.Guilds as number;
const GUILD_MEMBERS = GatewayIntentBits.GuildMembers as number;
const GUILD_MESSAGES = GatewayIntentBits.GuildMessages as number;
const GUILD_MESSAGE_REACTIONS = GatewayIntentBits.GuildMessageReactions as number;
const MESSAGE_CONTENT = GatewayIntentBits.MessageContent as number;

export class GatewayEvents {
  private readonly gateway: Gateway;
  private readonly state: FakeState;
  private readonly messages: MessageStore;

  constructor(gateway: Gateway, state: FakeState, messages: MessageStore) {
    this.gateway = gateway;
    this.state = state;
    this.messages = messages;
  }

  guildCreate(guildId: string): void {
    this.gateway.dispatch(
      GatewayDispatchEvents.GuildCreate,
      (s: GatewaySession) => this.state.guildCreatePayload(guildId, (s.intents & GUILD_MEMBERS) !== 0),
      { intent: GUILDS, guildId },
    );
  }

  /** The bot left the guild (kicked, or the guild deleted): no `unavailable` flag, unlike an outage. */
  guildDelete(guildId: string): void {
    this.gateway.dispatch(GatewayDispatchEvents.GuildDelete, { id: guildId }, { intent: GUILDS, guildId });
  }

  channelCreate(channelId: string): void {
    const c = this.state.channels.get(channelId);
    if (c)
      this.gateway.dispatch(GatewayDispatchEvents.ChannelCreate, this.state.apiChannel(c), {
        intent: GUILDS,
        guildId: c.guildId,
      });
  }

  roleCreate(guildId: string, roleId: string, created: boolean): void {
    const role = this.state.guilds.get(guildId)?.roles.get(roleId);
    if (!role) return;
    this.gateway.dispatch(
      created ? GatewayDispatchEvents.GuildRoleCreate : GatewayDispatchEvents.GuildRoleUpdate,
      { guild_id: guildId, role: this.state.apiRole(role) },
      { intent: GUILDS, guildId },
    );
  }

  memberAdd(guildId: string, userId: string): void {
    this.gateway.dispatch(
      GatewayDispatchEvents.GuildMemberAdd,
      { ...this.state.apiMember(guildId, userId), guild_id: guildId },
      { intent: GUILD_MEMBERS, guildId },
    );
  }

  messageCreate(rec: MessageRec): void {
    if (isEphemeral(rec)) return;
    this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, (s: GatewaySession) => this.messageFor(s, rec), {
      intent: GUILD_MESSAGES,
      guildId: rec.guildId,
    });
  }

  messageUpdate(rec: MessageRec): void {
    if (isEphemeral(rec)) return;
    this.gateway.dispatch(GatewayDispatchEvents.MessageUpdate, (s: GatewaySession) => this.messageFor(s, rec), {
      intent: GUILD_MESSAGES,
      guildId: rec.guildId,
    });
  }

  messageDelete(rec: MessageRec): void {
    if (isEphemeral(rec)) return;
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageDelete,
      { id: rec.id, channel_id: rec.channelId, guild_id: rec.guildId },
      { intent: GUILD_MESSAGES, guildId: rec.guildId },
    );
  }

  reactionAdd(rec: MessageRec, emoji: string, userId: string): void {
    if (isEphemeral(rec)) return;
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageReactionAdd,
      {
        user_id: userId,
        channel_id: rec.channelId,
        message_id: rec.id,
        guild_id: rec.guildId,
        message_author_id: rec.authorId,
        member: this.state.apiMember(rec.guildId, userId),
        emoji: parseEmoji(emoji),
        burst: false,
        burst_colors: [],
        type: 0,
      },
      { intent: GUILD_MESSAGE_REACTIONS, guildId: rec.guildId },
    );
  }

  /** Without MESSAGE_CONTENT, content/embeds/attachments/components of others' messages arrive empty (unless the bot is mentioned). */
  private messageFor(session: GatewaySession, rec: MessageRec): unknown {
    const api = this.messages.toApi(rec, { gateway: true });
    const botId = this.state.cfg.botUserId;
    const privileged =
      (session.intents & MESSAGE_CONTENT) !== 0 ||
      rec.authorId === botId ||
      new RegExp(`<@!?${botId}>`).test(rec.content);
    if (privileged) return api;
    return { ...api, content: '', embeds: [], attachments: [], components: [] };
  }
}
