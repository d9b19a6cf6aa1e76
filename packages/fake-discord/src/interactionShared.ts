// Pieces shared by the interaction kinds: the fields every INTERACTION_CREATE carries, and small result helpers.
import { ApplicationIntegrationType, InteractionContextType, InteractionType, Locale } from 'discord-api-types/v10';
import type { HttpResult } from './errors.ts';
import type { InteractionRec } from './interactions.ts';
import type { MessageRec } from './messages.ts';
import type { FakeState } from './state.ts';

export const INTERACTION_TYPE = {
  command: InteractionType.ApplicationCommand,
  component: InteractionType.MessageComponent,
  autocomplete: InteractionType.ApplicationCommandAutocomplete,
} as const;

export function commonFields(state: FakeState, rec: InteractionRec, locale?: string) {
  const channel = state.requireChannel(rec.guildId, rec.channelId);
  const memberPerms = state.memberPermissions(rec.guildId, rec.userId).toString();
  return {
    id: rec.id,
    application_id: state.cfg.applicationId,
    token: rec.token,
    version: 1 as const,
    guild: { id: rec.guildId, locale: Locale.EnglishUS, features: [] },
    guild_id: rec.guildId,
    channel: { ...state.apiChannel(channel), permissions: memberPerms },
    channel_id: rec.channelId,
    member: state.apiInteractionMember(rec.guildId, rec.userId),
    app_permissions: state.memberPermissions(rec.guildId, state.cfg.botUserId).toString(),
    locale: (locale ?? Locale.EnglishUS) as Locale,
    guild_locale: Locale.EnglishUS,
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
