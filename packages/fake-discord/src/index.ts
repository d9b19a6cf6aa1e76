// A local fake of Discord (REST + gateway) for testing the real discord.js Client:
//   const fake = await startFakeDiscord();
//   const client = new Client({ intents, rest: { api: fake.apiBase } });
//   await client.login(fake.token);
// See the package's README.md for what is modelled and the rules it enforces.
import { GatewayIntentBits, MessageFlags } from 'discord-api-types/v10';
import type { ApplicationFlags } from 'discord-api-types/v10';
import { CommandStore } from './commands.ts';
import { DirectMessages } from './directMessages.ts';
import { GatewayEvents } from './events.ts';
import { Gateway } from './gateway.ts';
import { snowflake } from './ids.ts';
import { Interactions } from './interactions.ts';
import { MessageStore } from './messages.ts';
import type { MessageRec } from './messages.ts';
import { DEFAULT_BOT_PERMISSIONS } from './permissions.ts';
import { restRoutes } from './restRoutes.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';
import { FakeState } from './state.ts';
import type {
  ClickButtonInput,
  FakeDiscord,
  FakeDiscordOptions,
  InteractionHandle,
  PostMessageInput,
  RestCall,
  SendAutocompleteInput,
  SendCommandInput,
  StoredMessage,
} from './types.ts';

export type * from './types.ts';

const IS_CROSSPOST = MessageFlags.IsCrosspost as number;

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = opts.token ?? 'test-token';
  const state = new FakeState({
    applicationId: opts.applicationId ?? snowflake(),
    botUserId: opts.botUserId ?? snowflake(),
    botUsername: opts.botUsername ?? 'giftbot',
    botPermissions: opts.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
  });
  const messages = new MessageStore(state);
  const commands = new CommandStore(state.cfg.applicationId);
  const calls: RestCall[] = [];
  const unhandled: RestCall[] = [];
  const gatewayErrors: string[] = [];
  let gatewayUrl = '';

  const gateway = new Gateway({
    token,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 10_000,
    ready: () => ({
      v: 10,
      user: { ...state.apiUser(state.cfg.botUserId), verified: true, mfa_enabled: false },
      application: { id: state.cfg.applicationId, flags: 0 as ApplicationFlags, flags_new: '0' },
    }),
    guildIds: () => [...state.guilds.keys()],
    guildCreate: (guildId, session) =>
      state.guildCreatePayload(guildId, (session.intents & GatewayIntentBits.GuildMembers) !== 0),
    guildMembers: (guildId) => {
      const guild = state.guilds.get(guildId);
      return guild ? [...guild.members.keys()].map((id) => state.apiMember(guildId, id)) : [];
    },
    gatewayUrl: () => gatewayUrl,
    error: (message) => gatewayErrors.push(message),
    privilegedIntentsAllowed: opts.privilegedIntentsAllowed ?? ~0,
  });
  const events = new GatewayEvents(gateway, state, messages);
  const interactions = new Interactions({
    state,
    messages,
    commands,
    gateway,
    events,
    ackDeadlineMs: opts.interactionAckDeadlineMs ?? 3000,
  });
  const dms = new DirectMessages(state, messages);
  const routes = restRoutes({ state, messages, commands, interactions, events, dms, gatewayUrl: () => gatewayUrl });
  const server = await startServer({
    token,
    routes: () => routes,
    gateway,
    messages,
    calls,
    unhandled,
    error: (message) => gatewayErrors.push(message),
  });
  const origin = `http://127.0.0.1:${server.port}`;
  messages.origin = origin;
  gatewayUrl = `ws://127.0.0.1:${server.port}/gateway`;

  return new FakeDiscordImpl({
    token,
    origin,
    gatewayUrl,
    state,
    messages,
    commands,
    gateway,
    events,
    interactions,
    dms,
    server,
    calls,
    unhandled,
    gatewayErrors,
  });
}

interface Parts {
  token: string;
  origin: string;
  gatewayUrl: string;
  state: FakeState;
  messages: MessageStore;
  commands: CommandStore;
  gateway: Gateway;
  events: GatewayEvents;
  interactions: Interactions;
  dms: DirectMessages;
  server: RunningServer;
  calls: RestCall[];
  unhandled: RestCall[];
  gatewayErrors: string[];
}

class FakeDiscordImpl implements FakeDiscord {
  readonly apiBase: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly gatewayUrl: string;
  private readonly p: Parts;
  private closed: Promise<void> | null = null;

  constructor(parts: Parts) {
    this.p = parts;
    this.apiBase = `${parts.origin}/api`;
    this.token = parts.token;
    this.applicationId = parts.state.cfg.applicationId;
    this.botUserId = parts.state.cfg.botUserId;
    this.gatewayUrl = parts.gatewayUrl;
  }

  get calls(): readonly RestCall[] {
    return this.p.calls;
  }

  get unhandled(): readonly RestCall[] {
    return this.p.unhandled;
  }

  get gatewayErrors(): readonly string[] {
    return this.p.gatewayErrors;
  }

  get dispatched(): readonly { t: string; s: number; sessionId: string }[] {
    return this.p.gateway.dispatched;
  }

  get connectedSessions(): number {
    return this.p.gateway.connected;
  }

  addGuild(g: { id: string; name?: string; ownerId?: string; preferredLocale?: string }): void {
    this.p.state.addGuild(g);
    this.p.events.guildCreate(g.id);
  }

  addChannel(guildId: string, c: { id: string; name?: string; type?: 'text' | 'announcement' }): void {
    this.p.state.addChannel(guildId, c);
    this.p.events.channelCreate(c.id);
  }

  addRole(guildId: string, r: { id: string; name: string; permissions?: bigint }): void {
    const { created } = this.p.state.addRole(guildId, r);
    this.p.events.roleCreate(guildId, r.id, created);
  }

  addMember(
    guildId: string,
    m: { userId: string; username?: string; roles?: string[]; permissions?: bigint; bot?: boolean },
  ): void {
    this.p.state.addMember(guildId, m);
    this.p.events.memberAdd(guildId, m.userId);
  }

  sendCommand(i: SendCommandInput): InteractionHandle {
    return this.p.interactions.sendCommand(i);
  }

  sendAutocomplete(i: SendAutocompleteInput): InteractionHandle {
    return this.p.interactions.sendAutocomplete(i);
  }

  autocompleteChoices(token: string): { name: string; value: string | number }[] | undefined {
    return this.p.interactions.choicesOf(token);
  }

  removeBotFromGuild(guildId: string): void {
    this.p.state.requireGuild(guildId);
    this.p.events.guildDelete(guildId);
    this.p.state.removeGuild(guildId);
  }

  clickButton(i: ClickButtonInput): InteractionHandle {
    return this.p.interactions.clickButton(i);
  }

  postMessage(m: PostMessageInput): { id: string } {
    const { state, messages, events } = this.p;
    state.requireChannel(m.guildId, m.channelId);
    let extra: { webhookId?: string; flags?: number; messageReference?: MessageRec['messageReference'] } = {};
    if (m.crosspost) {
      const user = state.ensureUser(m.userId, m.username ?? 'Announcements #announcements', true);
      user.bot = true;
      extra = {
        webhookId: m.userId,
        flags: IS_CROSSPOST,
        messageReference: { type: 0, channel_id: snowflake(), guild_id: snowflake(), message_id: snowflake() },
      };
    } else {
      state.requireMember(m.guildId, m.userId);
      if (m.bot !== undefined) state.ensureUser(m.userId).bot = m.bot;
    }
    const rec = messages.create({
      channelId: m.channelId,
      guildId: m.guildId,
      authorId: m.userId,
      payload: { content: m.content, embeds: m.embeds ?? [] },
      files: [],
      ...extra,
    });
    events.messageCreate(rec);
    return { id: rec.id };
  }

  interactionResponses(token: string): RestCall[] {
    return this.p.calls.filter((c) => {
      const [kind, , tok] = c.path.split('/').slice(1);
      return (kind === 'interactions' || kind === 'webhooks') && tok === token;
    });
  }

  interactionMessages(token: string): StoredMessage[] {
    return this.p.interactions.messagesOf(token).map((m) => this.p.messages.view(m));
  }

  channelMessages(channelId: string): StoredMessage[] {
    return this.p.messages.inChannel(channelId).map((m) => this.p.messages.view(m));
  }

  message(messageId: string): StoredMessage | undefined {
    const m = this.p.messages.messages.get(messageId);
    return m ? this.p.messages.view(m) : undefined;
  }

  reactions(channelId: string, messageId: string): string[] {
    const m = this.p.messages.messages.get(messageId);
    return m && m.channelId === channelId ? [...m.reactions] : [];
  }

  directMessages(userId: string): StoredMessage[] {
    const channelId = this.p.dms.channelOf.get(userId);
    return channelId ? this.channelMessages(channelId) : [];
  }

  closeDirectMessages(userId: string): void {
    this.p.dms.closed.add(userId);
  }

  dropGatewayConnections(): void {
    this.p.gateway.dropConnections();
  }

  registeredCommands(guildId?: string): unknown[] {
    return structuredClone(this.p.commands.list(guildId));
  }

  async waitFor<T>(fn: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = fn();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fakeDiscord.waitFor: condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.p.gateway.close();
      await this.p.server.close();
    })();
    return this.closed;
  }
}
