// Interactions: INTERACTION_CREATE payloads for slash commands and buttons, the callback endpoint, and the
// interaction webhook (@original, follow-ups) with Discord's rules (3 s to acknowledge, one acknowledgement,
// ephemeral flags, the first follow-up after a deferred reply replacing the "thinking" message).
import { InteractionResponseType, InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import type {
  APIChatInputApplicationCommandGuildInteraction,
  APIMessageComponentGuildInteraction,
} from 'discord-api-types/v10';
import { buildAutocompleteData, validateChoices } from './autocomplete.ts';
import {
  commonFields,
  INTERACTION_TYPE,
  isMessage,
  isRecord,
  prefixErrors,
  type InteractionRec,
} from './interactionShared.ts';
import { buildCommandData } from './commandOptions.ts';
import type { CommandStore } from './commands.ts';
import { apiError, FormErrors, noContent, ok, unknownInteraction, unknownMessage, unknownWebhook } from './errors.ts';
import type { HttpResult } from './errors.ts';
import type { GatewayEvents } from './events.ts';
import type { Gateway } from './gateway.ts';
import { interactionToken, snowflake } from './ids.ts';
import { findComponent, isEphemeral, validateMessagePayload } from './messages.ts';
import type { MessagePayload, MessageRec, MessageStore } from './messages.ts';
import type { FakeState } from './state.ts';
import type {
  ClickButtonInput,
  InteractionHandle,
  RecordedFile,
  SendAutocompleteInput,
  SendCommandInput,
} from './types.ts';

const EPHEMERAL = MessageFlags.Ephemeral as number;
const LOADING = MessageFlags.Loading as number;
const TOKEN_LIFETIME_MS = 15 * 60_000;

export interface InteractionContext {
  state: FakeState;
  messages: MessageStore;
  commands: CommandStore;
  gateway: Gateway;
  events: GatewayEvents;
  ackDeadlineMs: number;
}

export class Interactions {
  private readonly byToken = new Map<string, InteractionRec>();
  private readonly byId = new Map<string, InteractionRec>();
  private readonly ctx: InteractionContext;

  constructor(ctx: InteractionContext) {
    this.ctx = ctx;
  }

  get(token: string): InteractionRec | undefined {
    return this.byToken.get(token);
  }

  // ---- dispatch -------------------------------------------------------------------------------------------

  sendCommand(input: SendCommandInput): InteractionHandle {
    const { state } = this.ctx;
    this.requireSession();
    state.requireChannel(input.guildId, input.channelId);
    state.requireMember(input.guildId, input.userId);
    const { data } = buildCommandData(this.ctx, input);
    const rec = this.newRecord('command', input);
    rec.commandName = input.name;
    const payload: APIChatInputApplicationCommandGuildInteraction = {
      ...this.common(rec, input.locale),
      type: InteractionType.ApplicationCommand,
      data,
    };
    this.dispatch(rec, payload);
    return { id: rec.id, token: rec.token };
  }

  sendAutocomplete(input: SendAutocompleteInput): InteractionHandle {
    const { state } = this.ctx;
    this.requireSession();
    state.requireChannel(input.guildId, input.channelId);
    state.requireMember(input.guildId, input.userId);
    const data = buildAutocompleteData(this.ctx.commands, input);
    const rec = this.newRecord('autocomplete', input);
    rec.commandName = input.name;
    this.dispatch(rec, { ...this.common(rec), type: InteractionType.ApplicationCommandAutocomplete, data });
    return { id: rec.id, token: rec.token };
  }

  /** What the bot answered to an autocomplete interaction; undefined until it answered. */
  choicesOf(token: string): { name: string; value: string | number }[] | undefined {
    return this.byToken.get(token)?.choices;
  }

  clickButton(input: ClickButtonInput): InteractionHandle {
    const { state, messages } = this.ctx;
    this.requireSession();
    state.requireChannel(input.guildId, input.channelId);
    state.requireMember(input.guildId, input.userId);
    const message = messages.messages.get(input.messageId);
    if (!message || message.deleted || message.channelId !== input.channelId) {
      throw new Error(`fakeDiscord: clickButton: no message ${input.messageId} in channel ${input.channelId}`);
    }
    const component = findComponent(message.components, input.customId);
    if (!component) {
      throw new Error(
        `fakeDiscord: clickButton: message ${input.messageId} has no component with custom_id '${input.customId}'`,
      );
    }
    if (component.type !== 2) {
      throw new Error(
        `fakeDiscord: clickButton: component '${input.customId}' is of type ${component.type}, not a button`,
      );
    }
    const rec = this.newRecord('component', input);
    rec.sourceMessageId = message.id;
    const payload: APIMessageComponentGuildInteraction = {
      ...this.common(rec, input.locale),
      type: InteractionType.MessageComponent,
      data: { custom_id: input.customId, component_type: 2 },
      message: messages.toApi(message),
    } as APIMessageComponentGuildInteraction;
    this.dispatch(rec, payload);
    return { id: rec.id, token: rec.token };
  }

  private requireSession(): void {
    if (this.ctx.gateway.live.length === 0) {
      throw new Error('fakeDiscord: no gateway session: log the client in (and wait for clientReady) first');
    }
  }

  private newRecord(
    kind: InteractionRec['kind'],
    input: { guildId: string; channelId: string; userId: string },
  ): InteractionRec {
    const rec: InteractionRec = {
      id: snowflake(),
      token: interactionToken(),
      kind,
      guildId: input.guildId,
      channelId: input.channelId,
      userId: input.userId,
      createdAt: Date.now(),
      ackType: null,
      originalMessageId: null,
      followupIds: [],
    };
    this.byToken.set(rec.token, rec);
    this.byId.set(rec.id, rec);
    return rec;
  }

  private common(rec: InteractionRec, locale?: string) {
    return commonFields(this.ctx.state, rec, locale);
  }

  private dispatch(rec: InteractionRec, payload: unknown): void {
    this.ctx.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: rec.guildId });
  }

  // ---- POST /interactions/{id}/{token}/callback ------------------------------------------------------------

  callback(id: string, token: string, body: unknown, files: RecordedFile[], query: Record<string, string>): HttpResult {
    const rec = this.byId.get(id);
    if (!rec || rec.token !== token) return unknownInteraction();
    if (rec.ackType !== null) return apiError(400, 40060, 'Interaction has already been acknowledged.');
    if (Date.now() - rec.createdAt > this.ctx.ackDeadlineMs) return unknownInteraction();
    const b = (body ?? {}) as { type?: unknown; data?: unknown };
    const type = b.type;
    const invalidType = (): HttpResult => {
      const e = new FormErrors();
      e.add(
        ['type'],
        'INTERACTION_RESPONSE_TYPE_INVALID',
        `Interaction response type ${String(type)} is invalid for this interaction`,
      );
      return e.result() as HttpResult;
    };
    const { messages, events, state } = this.ctx;
    let message: MessageRec | undefined;
    // An autocomplete interaction takes only choices (8), and only it takes them.
    if ((rec.kind === 'autocomplete') !== (type === InteractionResponseType.ApplicationCommandAutocompleteResult))
      return invalidType();
    switch (type) {
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const checked = validateChoices(b.data);
        if (!('choices' in checked)) return checked;
        rec.choices = checked.choices;
        break;
      }
      case InteractionResponseType.ChannelMessageWithSource:
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const deferred = type === InteractionResponseType.DeferredChannelMessageWithSource;
        let payload: MessagePayload;
        if (deferred) payload = (b.data ?? {}) as MessagePayload;
        else {
          const v = validateMessagePayload(b.data, files, 'create');
          if ('error' in v) return prefixErrors(v.error, 'data');
          payload = v.payload;
        }
        const flags = ((payload.flags ?? 0) & EPHEMERAL) | (deferred ? LOADING : 0);
        message = messages.create({
          channelId: rec.channelId,
          guildId: rec.guildId,
          authorId: state.cfg.botUserId,
          payload: deferred ? { flags: payload.flags ?? 0 } : payload,
          files: deferred ? [] : files,
          type: rec.kind === 'command' ? MessageType.ChatInputCommand : MessageType.Default,
          flags,
          webhookId: state.cfg.applicationId,
          applicationId: state.cfg.applicationId,
          interaction: this.interactionRef(rec),
        });
        rec.originalMessageId = message.id;
        events.messageCreate(message);
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
      case InteractionResponseType.UpdateMessage: {
        if (rec.kind !== 'component' || !rec.sourceMessageId) return invalidType();
        const source = messages.messages.get(rec.sourceMessageId);
        if (!source || source.deleted) return unknownMessage();
        if (type === InteractionResponseType.UpdateMessage) {
          const v = validateMessagePayload(b.data, files, 'edit');
          if ('error' in v) return prefixErrors(v.error, 'data');
          messages.edit(source, v.payload, files);
          events.messageUpdate(source);
        }
        rec.originalMessageId = source.id;
        message = source;
        break;
      }
      case InteractionResponseType.Modal:
        break;
      default:
        return invalidType();
    }
    rec.ackType = type as number;
    if (query.with_response !== 'true') return noContent();
    return ok({
      interaction: {
        id: rec.id,
        type: INTERACTION_TYPE[rec.kind],
        response_message_id: message?.id,
        response_message_loading: message ? (message.flags & LOADING) !== 0 : undefined,
        response_message_ephemeral: message ? isEphemeral(message) : undefined,
      },
      resource: message ? { type, message: messages.toApi(message) } : { type },
    });
  }

  private interactionRef(rec: InteractionRec): NonNullable<MessageRec['interaction']> {
    const ref: NonNullable<MessageRec['interaction']> = {
      id: rec.id,
      type: rec.kind === 'command' ? InteractionType.ApplicationCommand : InteractionType.MessageComponent,
      userId: rec.userId,
      guildId: rec.guildId,
    };
    if (rec.commandName !== undefined) ref.name = rec.commandName;
    if (rec.sourceMessageId !== undefined) ref.interactedMessageId = rec.sourceMessageId;
    return ref;
  }

  // ---- /webhooks/{app}/{token} -----------------------------------------------------------------------------

  private webhookInteraction(appId: string, token: string): InteractionRec | HttpResult {
    const rec = this.byToken.get(token);
    if (appId !== this.ctx.state.cfg.applicationId || !rec) return unknownWebhook();
    if (Date.now() - rec.createdAt > TOKEN_LIFETIME_MS) return apiError(401, 50027, 'Invalid Webhook Token');
    return rec;
  }

  private webhookMessage(rec: InteractionRec, messageRef: string): MessageRec | HttpResult {
    const id = messageRef === '@original' ? rec.originalMessageId : messageRef;
    if (id === null || (id !== rec.originalMessageId && !rec.followupIds.includes(id))) return unknownMessage();
    const message = this.ctx.messages.messages.get(id);
    if (!message || message.deleted) return unknownMessage();
    return message;
  }

  webhookGet(appId: string, token: string, messageRef: string): HttpResult {
    const rec = this.webhookInteraction(appId, token);
    if (!isRecord(rec)) return rec;
    const message = this.webhookMessage(rec, messageRef);
    if (!isMessage(message)) return message;
    return ok(this.ctx.messages.toApi(message));
  }

  webhookEdit(appId: string, token: string, messageRef: string, body: unknown, files: RecordedFile[]): HttpResult {
    const rec = this.webhookInteraction(appId, token);
    if (!isRecord(rec)) return rec;
    const message = this.webhookMessage(rec, messageRef);
    if (!isMessage(message)) return message;
    const v = validateMessagePayload(body, files, 'edit');
    if ('error' in v) return v.error;
    this.ctx.messages.edit(message, v.payload, files);
    this.ctx.events.messageUpdate(message);
    return ok(this.ctx.messages.toApi(message));
  }

  webhookDelete(appId: string, token: string, messageRef: string): HttpResult {
    const rec = this.webhookInteraction(appId, token);
    if (!isRecord(rec)) return rec;
    const message = this.webhookMessage(rec, messageRef);
    if (!isMessage(message)) return message;
    message.deleted = true;
    this.ctx.events.messageDelete(message);
    return noContent();
  }

  followUp(
    appId: string,
    token: string,
    body: unknown,
    files: RecordedFile[],
    query: Record<string, string>,
  ): HttpResult {
    const rec = this.webhookInteraction(appId, token);
    if (!isRecord(rec)) return rec;
    if (rec.ackType === null) return unknownWebhook();
    const v = validateMessagePayload(body, files, 'create');
    if ('error' in v) return v.error;
    const { messages, events, state } = this.ctx;
    const original = rec.originalMessageId ? messages.messages.get(rec.originalMessageId) : undefined;
    let message: MessageRec;
    if (
      rec.ackType === InteractionResponseType.DeferredChannelMessageWithSource &&
      original &&
      !original.deleted &&
      (original.flags & LOADING) !== 0
    ) {
      // Discord: the first follow-up after a deferred reply replaces the "thinking" message (keeping its
      // ephemeral setting) instead of creating a new one.
      messages.edit(original, { ...v.payload, flags: original.flags }, files, { countEdit: false });
      events.messageUpdate(original);
      message = original;
    } else {
      const refRec = this.interactionRef(rec);
      if (rec.originalMessageId) refRec.originalResponseMessageId = rec.originalMessageId;
      message = messages.create({
        channelId: rec.channelId,
        guildId: rec.guildId,
        authorId: state.cfg.botUserId,
        payload: v.payload,
        files,
        flags: (v.payload.flags ?? 0) & EPHEMERAL,
        webhookId: state.cfg.applicationId,
        applicationId: state.cfg.applicationId,
        interaction: refRec,
      });
      rec.followupIds.push(message.id);
      events.messageCreate(message);
    }
    return query.wait === 'true' ? ok(messages.toApi(message)) : noContent();
  }

  /** The interaction's messages, @original first. */
  messagesOf(token: string): MessageRec[] {
    const rec = this.byToken.get(token);
    if (!rec) return [];
    const ids = [...(rec.originalMessageId ? [rec.originalMessageId] : []), ...rec.followupIds];
    return ids.flatMap((id) => {
      const m = this.ctx.messages.messages.get(id);
      return m ? [m] : [];
    });
  }
}
