// Direct messages from the bot to a user: POST /users/@me/channels opens (or returns) the DM channel, and messages are
// posted to it like to any channel. A user can close their DMs: Discord then answers 50007.
import { ChannelType } from 'discord-api-types/v10';
import { apiError, ok, type HttpResult } from './errors.ts';
import { snowflake } from './ids.ts';
import { validateMessagePayload, type MessageStore } from './messages.ts';
import type { FakeState } from './state.ts';
import type { RecordedFile } from './types.ts';

export class DirectMessages {
  /** userId → DM channel id */
  readonly channelOf = new Map<string, string>();
  /** DM channel id → userId */
  readonly userOf = new Map<string, string>();
  readonly closed = new Set<string>();
  private readonly state: FakeState;
  private readonly messages: MessageStore;

  constructor(state: FakeState, messages: MessageStore) {
    this.state = state;
    this.messages = messages;
  }

  isDmChannel(channelId: string): boolean {
    return this.userOf.has(channelId);
  }

  open(body: unknown): HttpResult {
    const recipient = String((body as { recipient_id?: unknown } | null)?.recipient_id ?? '');
    if (!this.state.users.has(recipient)) return apiError(400, 50035, 'Invalid Form Body');
    let channelId = this.channelOf.get(recipient);
    if (!channelId) {
      channelId = snowflake();
      this.channelOf.set(recipient, channelId);
      this.userOf.set(channelId, recipient);
    }
    return ok(this.apiChannel(channelId, recipient));
  }

  send(channelId: string, body: unknown, files: RecordedFile[]): HttpResult {
    const userId = this.userOf.get(channelId)!;
    if (this.closed.has(userId)) return apiError(403, 50007, 'Cannot send messages to this user');
    const v = validateMessagePayload(body, files, 'create');
    if ('error' in v) return v.error;
    const m = this.messages.create({
      channelId,
      guildId: '',
      authorId: this.state.cfg.botUserId,
      payload: v.payload,
      files,
    });
    return ok(this.messages.toApi(m));
  }

  apiChannel(channelId: string, userId: string): unknown {
    return {
      id: channelId,
      type: ChannelType.DM,
      last_message_id: null,
      recipients: [this.state.apiUser(userId)],
      flags: 0,
    };
  }
}
