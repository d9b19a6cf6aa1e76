import type { Client } from 'discord.js';
import { channelLanguage } from '../i18n/locale.ts';
import type { Language } from '../i18n/languages.ts';
import type { AllianceRecord } from '../store/types.ts';

/**
 * The language of a post in a server's channel for an alliance (results, approvals): the alliance's setting, else the
 * server's preferred locale as Discord reports it, else English.
 */
export function postLanguage(
  client: Client,
  guildId: string,
  alliance: Pick<AllianceRecord, 'language'> | null,
): Language {
  return channelLanguage(alliance?.language, client.guilds.cache.get(guildId)?.preferredLocale);
}
