// Public types of the fake Discord used by the test suite.

export interface FakeDiscordOptions {
  /** Bot token the fake expects (REST `Authorization: Bot <token>` and gateway IDENTIFY). Default 'test-token'. */
  token?: string;
  /** Application id (also the webhook id of interaction responses). Default: a fresh snowflake. */
  applicationId?: string;
  /** The bot's user id. Default: a fresh snowflake. */
  botUserId?: string;
  /** Bot user name. Default 'giftbot'. */
  botUsername?: string;
  /** Permissions of the bot's managed role in every guild (app_permissions). Default: see permissions.ts. */
  botPermissions?: bigint;
  /** HELLO heartbeat_interval in ms. Default 10_000. */
  heartbeatIntervalMs?: number;
  /** An interaction callback later than this after dispatch is refused like Discord does (10062). Default 3000. */
  interactionAckDeadlineMs?: number;
  /**
   * Privileged intents the application may use (GuildMembers, GuildPresences, MessageContent bits); IDENTIFY asking
   * for another is refused with close code 4014 (Disallowed intents), as when a Developer Portal switch is off.
   * Default: all of them.
   */
  privilegedIntentsAllowed?: number;
}

export interface RecordedFile {
  /** multipart field name, e.g. 'files[0]' */
  field: string;
  filename: string;
  contentType: string;
  size: number;
  /** the file body as UTF-8 text (binary files: use `data`) */
  content: string;
  data: Buffer;
}

export interface RestCall {
  method: string;
  /** decoded path without the /api/v10 prefix, e.g. '/webhooks/1/abc/messages/@original' */
  path: string;
  query: Record<string, string>;
  /** parsed JSON body, or the parsed payload_json of a multipart body; undefined when there was none */
  body: unknown;
  /** files of a multipart body */
  files: RecordedFile[];
  /** Authorization header as sent, if any */
  auth?: string;
  /** Date.now() when the request arrived */
  at: number;
  /** HTTP status the fake answered (0 while the request is being handled) */
  status: number;
  /** the response body the fake sent (parsed), undefined for 204 */
  response?: unknown;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
  content: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  authorId: string;
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  ephemeral: boolean;
  /** number of edits after creation (PATCH, component update, first follow-up replacing a deferred reply) */
  edits: number;
  deleted: boolean;
  /** emoji the bot reacted with, in order */
  reactions: string[];
}

export type CommandOptionValue =
  | string
  | number
  | boolean
  | { attachment: { filename: string; content: string; contentType?: string } };

export interface SendCommandInput {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, CommandOptionValue>;
  locale?: string;
}

/** A member typing into an option declared with `autocomplete: true`. */
export interface SendAutocompleteInput {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  /** Options already filled in (not validated: a member may still be typing them). */
  options?: Record<string, string | number | boolean>;
  /** The option being typed into. */
  focused: string;
  /** What was typed so far. */
  typed: string;
}

export interface ClickButtonInput {
  guildId: string;
  channelId: string;
  userId: string;
  customId: string;
  messageId: string;
  /** The clicking member's Discord locale (default en-US). */
  locale?: string;
}

export interface PostMessageInput {
  guildId: string;
  channelId: string;
  userId: string;
  content: string;
  embeds?: Array<{
    title?: string;
    description?: string;
    url?: string;
    fields?: Array<{ name: string; value: string; inline?: boolean }>;
  }>;
  /** mark the author as a bot (also remembered on the user) */
  bot?: boolean;
  /**
   * A message published in a followed announcement channel of another server: author is a webhook (id = userId,
   * bot), `webhook_id` is set, flags has IS_CROSSPOST (2) and `message_reference` points at the source message.
   * The author need not be a member.
   */
  crosspost?: boolean;
  /** display name of the author when it is not a known user (crossposts). */
  username?: string;
}

export interface InteractionHandle {
  id: string;
  token: string;
}

export interface FakeDiscord {
  readonly apiBase: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUserId: string;
  /** ws://127.0.0.1:PORT/gateway */
  readonly gatewayUrl: string;
  addGuild(g: { id: string; name?: string; ownerId?: string; preferredLocale?: string }): void;
  addChannel(guildId: string, c: { id: string; name?: string; type?: 'text' | 'announcement' }): void;
  addRole(guildId: string, r: { id: string; name: string; permissions?: bigint }): void;
  addMember(
    guildId: string,
    m: { userId: string; username?: string; roles?: string[]; permissions?: bigint; bot?: boolean },
  ): void;
  sendCommand(i: SendCommandInput): InteractionHandle;
  /** A member typing into an autocomplete option; read the answer with `autocompleteChoices(token)`. */
  sendAutocomplete(i: SendAutocompleteInput): InteractionHandle;
  /** The choices the bot answered an autocomplete interaction with; undefined until it answered. */
  autocompleteChoices(token: string): { name: string; value: string | number }[] | undefined;
  /** The bot is removed from the guild (kicked, or the guild deleted): GUILD_DELETE, and the guild is gone. */
  removeBotFromGuild(guildId: string): void;
  clickButton(i: ClickButtonInput): InteractionHandle;
  postMessage(m: PostMessageInput): { id: string };
  readonly calls: readonly RestCall[];
  readonly unhandled: readonly RestCall[];
  readonly gatewayErrors: readonly string[];
  /** gateway dispatches sent, in order (all sessions) */
  readonly dispatched: readonly { t: string; s: number; sessionId: string }[];
  interactionResponses(token: string): RestCall[];
  /** the interaction's messages: @original first (when there is one), then follow-ups, current state */
  interactionMessages(token: string): StoredMessage[];
  channelMessages(channelId: string): StoredMessage[];
  message(messageId: string): StoredMessage | undefined;
  reactions(channelId: string, messageId: string): string[];
  /** What the bot sent this user by direct message, in order. */
  directMessages(userId: string): StoredMessage[];
  /** The user closes their DMs: the bot's next ones are refused with 50007 (Cannot send messages to this user). */
  closeDirectMessages(userId: string): void;
  registeredCommands(guildId?: string): unknown[];
  /** Simulates a network drop: every gateway socket is terminated; sessions stay resumable (RESUME replays). */
  dropGatewayConnections(): void;
  /** number of identified gateway sessions with an open socket */
  readonly connectedSessions: number;
  waitFor<T>(fn: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}
