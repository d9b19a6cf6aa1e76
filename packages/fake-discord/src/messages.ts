// Message and attachment store: creation/edit from REST payloads (with Discord's limits), and API shapes.
import { InteractionType, MessageFlags, MessageType } from 'discord-api-types/v10';
import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';
import { apiError, FormErrors } from './errors.ts';
import type { HttpResult } from './errors.ts';
import { snowflake } from './ids.ts';
import type { FakeState } from './state.ts';
import type { RecordedFile, StoredMessage } from './types.ts';

export interface AttachmentRec {
  id: string;
  filename: string;
  contentType: string;
  data: Buffer;
  description?: string;
  ephemeral: boolean;
}

export interface MessageInteractionRef {
  id: string;
  type: InteractionType.ApplicationCommand | InteractionType.MessageComponent;
  userId: string;
  guildId: string;
  name?: string;
  originalResponseMessageId?: string;
  interactedMessageId?: string;
}

export interface MessageRec {
  id: string;
  channelId: string;
  guildId: string;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: AttachmentRec[];
  flags: number;
  type: MessageType;
  createdAt: number;
  editedAt: number | null;
  edits: number;
  deleted: boolean;
  /** emoji the bot reacted with */
  reactions: string[];
  tts: boolean;
  nonce?: string | number;
  webhookId?: string;
  applicationId?: string;
  interaction?: MessageInteractionRef;
  messageReference?: { type: 0; channel_id: string; guild_id?: string; message_id: string };
}

/** The message-shaped fields of a REST body (channel message, webhook message, interaction callback data). */
export interface MessagePayload {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: unknown[] | null;
  attachments?: Array<{ id: string | number; filename?: string; description?: string }> | null;
  flags?: number | null;
  tts?: boolean;
  nonce?: string | number;
  sticker_ids?: string[];
  poll?: unknown;
}

const EPHEMERAL = MessageFlags.Ephemeral as number;
const LOADING = MessageFlags.Loading as number;
const SUPPRESS_EMBEDS = MessageFlags.SuppressEmbeds as number;
const SUPPRESS_NOTIFICATIONS = MessageFlags.SuppressNotifications as number;
const COMPONENTS_V2 = MessageFlags.IsComponentsV2 as number;

export function isEphemeral(m: { flags: number }): boolean {
  return (m.flags & EPHEMERAL) === EPHEMERAL;
}

export class MessageStore {
  readonly messages = new Map<string, MessageRec>();
  readonly attachments = new Map<string, AttachmentRec>();
  /** http://127.0.0.1:PORT, set once listening; attachment URLs are served under it */
  origin = '';
  readonly state: FakeState;

  constructor(state: FakeState) {
    this.state = state;
  }

  attachmentUrl(a: AttachmentRec): string {
    return `${this.origin}/attachments/${a.id}/${encodeURIComponent(a.filename)}`;
  }

  addAttachment(input: {
    filename: string;
    data: Buffer;
    contentType?: string;
    ephemeral?: boolean;
    description?: string;
  }): AttachmentRec {
    const rec: AttachmentRec = {
      id: snowflake(),
      filename: input.filename,
      contentType: input.contentType ?? guessContentType(input.filename),
      data: input.data,
      ephemeral: input.ephemeral ?? false,
    };
    if (input.description !== undefined) rec.description = input.description;
    this.attachments.set(rec.id, rec);
    return rec;
  }

  apiAttachment(a: AttachmentRec): APIAttachment {
    const api: APIAttachment = {
      id: a.id,
      filename: a.filename,
      size: a.data.length,
      url: this.attachmentUrl(a),
      proxy_url: this.attachmentUrl(a),
      content_type: a.contentType,
    };
    if (a.description !== undefined) api.description = a.description;
    if (a.ephemeral) api.ephemeral = true;
    return api;
  }

  /** Creates a message from a REST payload (already validated). */
  create(input: {
    channelId: string;
    guildId: string;
    authorId: string;
    payload: MessagePayload;
    files: RecordedFile[];
    type?: MessageType;
    flags?: number;
    webhookId?: string;
    applicationId?: string;
    interaction?: MessageInteractionRef;
    messageReference?: MessageRec['messageReference'];
  }): MessageRec {
    const p = input.payload;
    const flags = (input.flags ?? 0) | ((p.flags ?? 0) & (SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2));
    const rec: MessageRec = {
      id: snowflake(),
      channelId: input.channelId,
      guildId: input.guildId,
      authorId: input.authorId,
      content: p.content ?? '',
      embeds: normaliseEmbeds(p.embeds),
      components: p.components ?? [],
      attachments: [],
      flags,
      type: input.type ?? MessageType.Default,
      createdAt: Date.now(),
      editedAt: null,
      edits: 0,
      deleted: false,
      reactions: [],
      tts: p.tts ?? false,
    };
    if (p.nonce !== undefined) rec.nonce = p.nonce;
    if (input.webhookId) rec.webhookId = input.webhookId;
    if (input.applicationId) rec.applicationId = input.applicationId;
    if (input.interaction) rec.interaction = input.interaction;
    if (input.messageReference) rec.messageReference = input.messageReference;
    rec.attachments = this.newAttachments(p, input.files, isEphemeral(rec));
    this.messages.set(rec.id, rec);
    return rec;
  }

  /** Applies an edit payload (already validated). */
  edit(rec: MessageRec, p: MessagePayload, files: RecordedFile[], opts: { countEdit?: boolean } = {}): void {
    if ('content' in p) rec.content = p.content ?? '';
    if ('embeds' in p) rec.embeds = normaliseEmbeds(p.embeds);
    if ('components' in p) rec.components = p.components ?? [];
    if (typeof p.flags === 'number') {
      rec.flags = (rec.flags & ~SUPPRESS_EMBEDS) | (p.flags & SUPPRESS_EMBEDS);
    }
    if (Array.isArray(p.attachments)) {
      const keep = new Set(p.attachments.map((a) => String(a.id)));
      const kept = rec.attachments.filter((a) => keep.has(a.id));
      rec.attachments = [...kept, ...this.newAttachments(p, files, isEphemeral(rec))];
    } else if (files.length > 0) {
      rec.attachments = [...rec.attachments, ...this.newAttachments(p, files, isEphemeral(rec))];
    }
    rec.flags &= ~LOADING;
    rec.editedAt = Date.now();
    if (opts.countEdit !== false) rec.edits++;
  }

  private newAttachments(p: MessagePayload, files: RecordedFile[], ephemeral: boolean): AttachmentRec[] {
    const described = new Map<string, { filename?: string; description?: string }>();
    for (const a of p.attachments ?? []) described.set(String(a.id), a);
    return files.map((f, index) => {
      const fieldIndex = /^files\[(\d+)\]$/.exec(f.field)?.[1] ?? String(index);
      const meta = described.get(fieldIndex);
      const input: Parameters<MessageStore['addAttachment']>[0] = {
        filename: meta?.filename ?? f.filename,
        data: f.data,
        contentType: f.contentType || guessContentType(f.filename),
        ephemeral,
      };
      if (meta?.description !== undefined) input.description = meta.description;
      return this.addAttachment(input);
    });
  }

  inChannel(channelId: string): MessageRec[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted && !isEphemeral(m));
  }

  /** The message as Discord's REST API returns it (gateway: with guild_id and member). */
  toApi(rec: MessageRec, opts: { gateway?: boolean } = {}): APIMessage {
    const state = this.state;
    const api: APIMessage & { guild_id?: string; member?: unknown } = {
      id: rec.id,
      channel_id: rec.channelId,
      author: this.apiAuthor(rec),
      content: rec.content,
      timestamp: new Date(rec.createdAt).toISOString(),
      edited_timestamp: rec.editedAt === null ? null : new Date(rec.editedAt).toISOString(),
      tts: rec.tts,
      mention_everyone: false,
      mentions: mentionedUsers(rec.content).flatMap((id) => (state.users.has(id) ? [state.apiUser(id)] : [])),
      mention_roles: [],
      attachments: rec.attachments.map((a) => this.apiAttachment(a)),
      embeds: rec.embeds,
      components: rec.components as NonNullable<APIMessage['components']>,
      pinned: false,
      type: rec.type,
      flags: rec.flags,
    };
    if (rec.reactions.length > 0) {
      api.reactions = rec.reactions.map((emoji) => ({
        count: 1,
        count_details: { burst: 0, normal: 1 },
        me: true,
        me_burst: false,
        burst_colors: [],
        emoji: parseEmoji(emoji),
      }));
    }
    if (rec.nonce !== undefined) api.nonce = rec.nonce;
    if (rec.webhookId) api.webhook_id = rec.webhookId;
    if (rec.applicationId) api.application_id = rec.applicationId;
    if (rec.messageReference) api.message_reference = rec.messageReference;
    if (rec.interaction) {
      const i = rec.interaction;
      const owners = { '0': i.guildId };
      if (i.type === InteractionType.ApplicationCommand) {
        api.interaction_metadata = {
          id: i.id,
          type: InteractionType.ApplicationCommand,
          user: state.apiUser(i.userId),
          authorizing_integration_owners: owners,
          ...(i.originalResponseMessageId ? { original_response_message_id: i.originalResponseMessageId } : {}),
        };
        if (i.name !== undefined) {
          api.interaction = { id: i.id, type: i.type, name: i.name, user: state.apiUser(i.userId) };
        }
      } else {
        api.interaction_metadata = {
          id: i.id,
          type: InteractionType.MessageComponent,
          user: state.apiUser(i.userId),
          authorizing_integration_owners: owners,
          interacted_message_id: i.interactedMessageId ?? '0',
          ...(i.originalResponseMessageId ? { original_response_message_id: i.originalResponseMessageId } : {}),
        };
      }
    }
    if (opts.gateway) {
      api.guild_id = rec.guildId;
      const member = state.guilds.get(rec.guildId)?.members.has(rec.authorId);
      if (member && !rec.webhookId) api.member = state.apiMessageMember(rec.guildId, rec.authorId);
    }
    return api;
  }

  private apiAuthor(rec: MessageRec): APIMessage['author'] {
    return this.state.apiUser(rec.authorId);
  }

  view(rec: MessageRec): StoredMessage {
    return {
      id: rec.id,
      channelId: rec.channelId,
      authorId: rec.authorId,
      content: rec.content,
      embeds: structuredClone(rec.embeds),
      components: structuredClone(rec.components),
      attachments: rec.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        contentType: a.contentType,
        size: a.data.length,
        url: this.attachmentUrl(a),
        content: a.data.toString('utf8'),
      })),
      flags: rec.flags,
      ephemeral: isEphemeral(rec),
      edits: rec.edits,
      deleted: rec.deleted,
      reactions: [...rec.reactions],
    };
  }
}

/** As Discord returns them: `type: 'rich'`, fields with `inline` set. */
function normaliseEmbeds(embeds: APIEmbed[] | null | undefined): APIEmbed[] {
  return (embeds ?? []).map((e) => {
    const out = { type: 'rich' as APIEmbed['type'], ...e } as APIEmbed;
    if (e.fields) out.fields = e.fields.map((f) => ({ ...f, inline: f.inline ?? false }));
    return out;
  });
}

function mentionedUsers(content: string): string[] {
  return [...content.matchAll(/<@!?(\d{15,21})>/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

export function parseEmoji(emoji: string): { id: string | null; name: string; animated?: boolean } {
  const custom = /^(a:)?([\w~]{2,32}):(\d{15,21})$/.exec(emoji);
  if (custom?.[2] && custom[3]) return { id: custom[3], name: custom[2], animated: Boolean(custom[1]) };
  return { id: null, name: emoji };
}

/** Unicode emoji (pictographic, regional indicator, keycap) or custom `name:id`. */
export function isValidEmoji(emoji: string): boolean {
  if (parseEmoji(emoji).id !== null) return true;
  if (emoji.length === 0 || emoji.length > 32) return false;
  if (/[A-Za-z]/.test(emoji)) return false;
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(emoji);
}

function guessContentType(filename: string): string {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  const types: Record<string, string> = {
    txt: 'text/plain; charset=utf-8',
    csv: 'text/csv; charset=utf-8',
    json: 'application/json; charset=utf-8',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
  };
  return types[ext] ?? 'application/octet-stream';
}

// ---- validation (Discord's documented limits) ----------------------------------------------------------------

export function validateMessagePayload(
  body: unknown,
  files: RecordedFile[],
  mode: 'create' | 'edit',
): { payload: MessagePayload } | { error: HttpResult } {
  if (body === undefined && files.length === 0) {
    return mode === 'create' ? { error: apiError(400, 50006, 'Cannot send an empty message') } : { payload: {} };
  }
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    return { error: apiError(400, 50109, 'The request body contains invalid JSON.') };
  }
  const p = (body ?? {}) as MessagePayload;
  const errors = new FormErrors();
  if (p.content !== undefined && p.content !== null) {
    if (typeof p.content !== 'string') errors.add(['content'], 'BASE_TYPE_STRING', 'Must be a string.');
    else errors.maxLength(['content'], p.content, 2000);
  }
  if (p.embeds !== undefined && p.embeds !== null) validateEmbeds(p.embeds, errors);
  if (p.components !== undefined && p.components !== null) {
    validateComponents(p.components, ((p.flags ?? 0) & COMPONENTS_V2) === COMPONENTS_V2, errors);
  }
  if (files.length > 10) errors.add(['files'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  const formError = errors.result();
  if (formError) return { error: formError };
  if (mode === 'create') {
    const empty =
      !p.content &&
      (p.embeds ?? []).length === 0 &&
      (p.components ?? []).length === 0 &&
      files.length === 0 &&
      (p.sticker_ids ?? []).length === 0 &&
      !p.poll;
    if (empty) return { error: apiError(400, 50006, 'Cannot send an empty message') };
  }
  return { payload: p };
}

function validateEmbeds(embeds: unknown, errors: FormErrors): void {
  if (!Array.isArray(embeds)) {
    errors.add(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (embeds.length > 10) errors.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  const len = (v: unknown): number => (typeof v === 'string' ? [...v].length : 0);
  embeds.forEach((raw: unknown, i) => {
    const e = (raw ?? {}) as Record<string, unknown> & {
      fields?: Array<{ name?: unknown; value?: unknown }>;
      footer?: { text?: unknown };
      author?: { name?: unknown };
    };
    errors.maxLength(['embeds', i, 'title'], e.title, 256);
    errors.maxLength(['embeds', i, 'description'], e.description, 4096);
    errors.maxLength(['embeds', i, 'footer', 'text'], e.footer?.text, 2048);
    errors.maxLength(['embeds', i, 'author', 'name'], e.author?.name, 256);
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
    const fields = e.fields ?? [];
    if (fields.length > 25)
      errors.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    fields.forEach((f, j) => {
      errors.lengthBetween(['embeds', i, 'fields', j, 'name'], f.name, 1, 256);
      errors.lengthBetween(['embeds', i, 'fields', j, 'value'], f.value, 1, 1024);
      total += len(f.name) + len(f.value);
    });
  });
  if (total > 6000) errors.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function validateComponents(components: unknown, v2: boolean, errors: FormErrors): void {
  if (!Array.isArray(components)) {
    errors.add(['components'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (!v2 && components.length > 5) {
    errors.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  }
  const seen = new Set<string>();
  const visit = (raw: unknown, path: Array<string | number>): void => {
    const c = (raw ?? {}) as Record<string, unknown>;
    const type = c.type;
    if (!v2 && path.length === 2 && type !== 1) {
      errors.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Top-level components must be action rows (type 1).');
    }
    if (typeof c.custom_id === 'string') {
      errors.lengthBetween([...path, 'custom_id'], c.custom_id, 1, 100);
      if (seen.has(c.custom_id)) {
        errors.add(
          [...path, 'custom_id'],
          'COMPONENT_CUSTOM_ID_DUPLICATED',
          'Component custom id cannot be duplicated',
        );
      }
      seen.add(c.custom_id);
    }
    if (type === 2) {
      const style = c.style;
      if (style === 5 && typeof c.url !== 'string')
        errors.add([...path, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
      if (typeof style === 'number' && style >= 1 && style <= 4 && typeof c.custom_id !== 'string') {
        errors.add([...path, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      }
      errors.maxLength([...path, 'label'], c.label, 80);
    }
    if (Array.isArray(c.components)) {
      if (type === 1 && c.components.length > 5) {
        errors.add([...path, 'components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
      }
      c.components.forEach((child: unknown, i) => visit(child, [...path, 'components', i]));
    }
    if (c.accessory) visit(c.accessory, [...path, 'accessory']);
  };
  components.forEach((c: unknown, i) => visit(c, ['components', i]));
}

/** Finds a component by custom_id anywhere in a message's component tree. */
export function findComponent(components: unknown[], customId: string): { type: number } | undefined {
  for (const raw of components) {
    const c = (raw ?? {}) as { type?: unknown; custom_id?: unknown; components?: unknown; accessory?: unknown };
    if (c.custom_id === customId && typeof c.type === 'number') return { type: c.type };
    const nested = [...(Array.isArray(c.components) ? c.components : []), ...(c.accessory ? [c.accessory] : [])];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}
