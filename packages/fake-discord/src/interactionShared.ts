// Pieces shared by the interaction kinds: the fields every INTERACTION_CREATE carries, and small result helpers.
import { ApplicationIntegrationType, InteractionContextType, InteractionType, Locale } from 'discord-api-types/v10';
import type { HttpResult } from './errors.ts';
import type { MessageRec } from './messages.ts';
import type { FakeState } from './state.ts';

export interface InteractionRec {
  id: string;
  token: string;
  kind: 'command' | 'component' | 'autocomplete';
  guildId: string;
  channelId: string;
  userId: string;
  commandName?: string;
  /** component interactions: the message the component is on */
  sourceMessageId?: string;
  createdAt: number;
  ackType: number | null;
  /** @original: the reply (types 4/5) or, after 6/7, the message the component is on */
  originalMessageId: string | null;
  followupIds: string[];
  /** autocomplete interactions: the choices the bot answered with */
  choices?: { name: string; value: string | number }[];
}

export const INTERACTION_TYPE = {
  command: InteractionType.ApplicationCommand,
  component: InteractionType.MessageComponent,
  autocomplete: InteractionType.ApplicationCommandAutocomplete,
} as const;

export function commonFields(state: FakeState, rec: InteractionRec, locale?: string) {
  const channel = state.requireChannel(rec.guildId, rec.channelId);
  const memberPerms = state.memberPermissions(rec.guildId, rec.userId).toString();
  const guildLocale = state.requireGuild(rec.guildId).preferredLocale as Locale;
  return {
    id: rec.id,
    application_id: state.cfg.applicationId,
    token: rec.token,
    version: 1 as const,
    guild: { id: rec.guildId, locale: guildLocale, features: [] },
    guild_id: rec.guildId,
    channel: { ...state.apiChannel(channel), permissions: memberPerms },
    channel_id: rec.channelId,
    member: state.apiInteractionMember(rec.guildId, rec.userId),
    app_permissions: state.memberPermissions(rec.guildId, state.cfg.botUserId).toString(),
    locale: (locale ?? Locale.EnglishUS) as Locale,
    guild_locale: guildLocale,
    entitlements: [],
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: rec.guildId },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}

export function isRecord(x: InteractionRec | HttpResult): x is InteractionRec {
  return 'token' in x;
}

export function isMessage(x: MessageRec | HttpResult): x is MessageRec {
  return 'channelId' in x;
}

export function prefixErrors(result: HttpResult, key: string): HttpResult {
  const body = result.body as { errors?: unknown } | undefined;
  if (body?.errors) return { ...result, body: { ...body, errors: { [key]: body.errors } } };
  return result;
}
