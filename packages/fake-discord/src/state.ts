// The fake's world: users, guilds, roles, channels, members; and their Discord API shapes.
import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
} from 'discord-api-types/v10';
import type {
  ChannelFlags,
  GuildMemberFlags,
  RoleFlags,
  UserFlags,
  APIGuildMember,
  APIGuildTextChannel,
  APIInteractionGuildMember,
  APIRole,
  APIUser,
  GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import { snowflake } from './ids.ts';
import { basePermissions, DEFAULT_EVERYONE_PERMISSIONS } from './permissions.ts';

export interface UserRec {
  id: string;
  username: string;
  bot: boolean;
  globalName: string | null;
}

export interface RoleRec {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  botId?: string;
}

export type TextChannelKind = ChannelType.GuildText | ChannelType.GuildAnnouncement;

export interface ChannelRec {
  id: string;
  guildId: string;
  name: string;
  type: TextChannelKind;
  position: number;
}

export interface MemberRec {
  userId: string;
  roles: string[];
  /** explicit computed permissions (as the brief's addMember allows); otherwise computed from roles */
  permissions?: bigint;
  joinedAt: string;
}

export interface GuildRec {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, RoleRec>;
  channelIds: string[];
  members: Map<string, MemberRec>;
  joinedAt: string;
  botRoleId: string;
  /** The server's preferred locale (Community servers choose it; Discord reports en-US for the others). */
  preferredLocale: string;
}

export interface StateConfig {
  applicationId: string;
  botUserId: string;
  botUsername: string;
  botPermissions: bigint;
}

export class FakeState {
  readonly users = new Map<string, UserRec>();
  readonly guilds = new Map<string, GuildRec>();
  readonly channels = new Map<string, ChannelRec>();
  readonly cfg: StateConfig;

  constructor(cfg: StateConfig) {
    this.cfg = cfg;
    this.users.set(cfg.botUserId, { id: cfg.botUserId, username: cfg.botUsername, bot: true, globalName: null });
  }

  // ---- mutation -------------------------------------------------------------------------------------------

  addGuild(g: { id: string; name?: string; ownerId?: string; preferredLocale?: string }): GuildRec {
    if (this.guilds.has(g.id)) throw new Error(`fakeDiscord: guild ${g.id} already exists`);
    const joinedAt = new Date().toISOString();
    const botRoleId = snowflake();
    const guild: GuildRec = {
      id: g.id,
      name: g.name ?? `guild-${g.id}`,
      ownerId: g.ownerId ?? snowflake(),
      roles: new Map(),
      channelIds: [],
      members: new Map(),
      joinedAt,
      botRoleId,
      preferredLocale: g.preferredLocale ?? Locale.EnglishUS,
    };
    guild.roles.set(g.id, {
      id: g.id,
      name: '@everyone',
      permissions: DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
      managed: false,
    });
    guild.roles.set(botRoleId, {
      id: botRoleId,
      name: this.cfg.botUsername,
      permissions: this.cfg.botPermissions,
      position: 1,
      managed: true,
      botId: this.cfg.botUserId,
    });
    guild.members.set(this.cfg.botUserId, { userId: this.cfg.botUserId, roles: [botRoleId], joinedAt });
    this.guilds.set(g.id, guild);
    return guild;
  }

  /** Forgets a guild the bot left: its channels, roles and members go with it. */
  removeGuild(guildId: string): void {
    const guild = this.requireGuild(guildId);
    for (const channelId of guild.channelIds) this.channels.delete(channelId);
    this.guilds.delete(guildId);
  }

  addChannel(guildId: string, c: { id: string; name?: string; type?: 'text' | 'announcement' }): ChannelRec {
    const guild = this.requireGuild(guildId);
    if (this.channels.has(c.id)) throw new Error(`fakeDiscord: channel ${c.id} already exists`);
    const channel: ChannelRec = {
      id: c.id,
      guildId,
      name: c.name ?? `channel-${c.id}`,
      type: c.type === 'announcement' ? ChannelType.GuildAnnouncement : ChannelType.GuildText,
      position: guild.channelIds.length,
    };
    this.channels.set(c.id, channel);
    guild.channelIds.push(c.id);
    return channel;
  }

  /** Adds a role; a role whose id is the guild id replaces @everyone's permissions. */
  addRole(guildId: string, r: { id: string; name: string; permissions?: bigint }): { role: RoleRec; created: boolean } {
    const guild = this.requireGuild(guildId);
    const existing = guild.roles.get(r.id);
    if (existing) {
      if (r.id !== guildId) throw new Error(`fakeDiscord: role ${r.id} already exists in guild ${guildId}`);
      existing.permissions = r.permissions ?? existing.permissions;
      return { role: existing, created: false };
    }
    const role: RoleRec = {
      id: r.id,
      name: r.name,
      permissions: r.permissions ?? 0n,
      position: guild.roles.size,
      managed: false,
    };
    guild.roles.set(r.id, role);
    return { role, created: true };
  }

  addMember(
    guildId: string,
    m: { userId: string; username?: string; roles?: string[]; permissions?: bigint; bot?: boolean },
  ): MemberRec {
    const guild = this.requireGuild(guildId);
    for (const roleId of m.roles ?? []) {
      if (!guild.roles.has(roleId))
        throw new Error(`fakeDiscord: addMember: role ${roleId} is not in guild ${guildId}`);
    }
    const user = this.ensureUser(m.userId, m.username, m.bot);
    if (m.username) user.username = m.username;
    if (m.bot !== undefined) user.bot = m.bot;
    const previous = guild.members.get(m.userId);
    const member: MemberRec = {
      userId: m.userId,
      roles: m.roles ?? (m.userId === this.cfg.botUserId ? [guild.botRoleId] : []),
      joinedAt: previous?.joinedAt ?? new Date().toISOString(),
    };
    if (m.permissions !== undefined) member.permissions = m.permissions;
    guild.members.set(m.userId, member);
    return member;
  }

  ensureUser(id: string, username?: string, bot?: boolean): UserRec {
    let user = this.users.get(id);
    if (!user) {
      user = { id, username: username ?? `user-${id}`, bot: bot ?? false, globalName: null };
      this.users.set(id, user);
    }
    return user;
  }

  // ---- lookup ---------------------------------------------------------------------------------------------

  requireGuild(guildId: string): GuildRec {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`fakeDiscord: unknown guild ${guildId} (addGuild first)`);
    return guild;
  }

  requireChannel(guildId: string, channelId: string): ChannelRec {
    const channel = this.channels.get(channelId);
    if (!channel || channel.guildId !== guildId) {
      throw new Error(`fakeDiscord: unknown channel ${channelId} in guild ${guildId} (addChannel first)`);
    }
    return channel;
  }

  requireMember(guildId: string, userId: string): MemberRec {
    const member = this.requireGuild(guildId).members.get(userId);
    if (!member) throw new Error(`fakeDiscord: user ${userId} is not a member of guild ${guildId} (addMember first)`);
    return member;
  }

  /** Guild-level permissions of a member: explicit `permissions` if given, else computed from its roles. */
  memberPermissions(guildId: string, userId: string): bigint {
    const guild = this.requireGuild(guildId);
    const member = this.requireMember(guildId, userId);
    if (member.permissions !== undefined) return member.permissions;
    return basePermissions({
      userId,
      ownerId: guild.ownerId,
      everyone: guild.roles.get(guild.id)?.permissions ?? 0n,
      rolePermissions: member.roles.map((id) => guild.roles.get(id)?.permissions ?? 0n),
    });
  }

  // ---- API shapes -----------------------------------------------------------------------------------------

  apiUser(userId: string): APIUser {
    const user = this.users.get(userId) ?? this.ensureUser(userId);
    const api: APIUser = {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.globalName,
      avatar: null,
      public_flags: 0 as UserFlags,
      flags: 0 as UserFlags,
    };
    if (user.bot) api.bot = true;
    return api;
  }

  apiRole(role: RoleRec): APIRole {
    const api: APIRole = {
      id: role.id,
      name: role.name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.managed,
      mentionable: false,
      flags: 0 as RoleFlags,
    };
    if (role.botId) api.tags = { bot_id: role.botId };
    return api;
  }

  apiChannel(channel: ChannelRec): APIGuildTextChannel<TextChannelKind> {
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      permission_overwrites: [],
      nsfw: false,
      topic: null,
      parent_id: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      default_auto_archive_duration: 4320,
      flags: 0 as ChannelFlags,
    };
  }

  apiMember(guildId: string, userId: string): APIGuildMember & { user: APIUser } {
    const member = this.requireMember(guildId, userId);
    return {
      user: this.apiUser(userId),
      nick: null,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  /** A member as it appears inside messages from the gateway: without `user`. */
  apiMessageMember(guildId: string, userId: string): Omit<APIGuildMember, 'user'> {
    const { user: _user, ...rest } = this.apiMember(guildId, userId);
    return rest;
  }

  apiInteractionMember(guildId: string, userId: string): APIInteractionGuildMember {
    return { ...this.apiMember(guildId, userId), permissions: this.memberPermissions(guildId, userId).toString() };
  }

  /** GUILD_CREATE payload. Like Discord: without the GuildMembers intent only the bot's own member is included. */
  guildCreatePayload(guildId: string, allMembers: boolean): GatewayGuildCreateDispatchData {
    const guild = this.requireGuild(guildId);
    const memberIds = [...guild.members.keys()].filter((id) => allMembers || id === this.cfg.botUserId);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: [...guild.roles.values()].map((r) => this.apiRole(r)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: GuildSystemChannelFlags.SuppressJoinNotifications,
      rules_channel_id: null,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: guild.preferredLocale as Locale,
      public_updates_channel_id: null,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
      max_members: 500000,
      max_video_channel_users: 25,
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.members.size,
      voice_states: [],
      members: memberIds.map((id) => this.apiMember(guild.id, id)),
      channels: guild.channelIds.flatMap((id) => {
        const c = this.channels.get(id);
        return c ? [this.apiChannel(c)] : [];
      }),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
