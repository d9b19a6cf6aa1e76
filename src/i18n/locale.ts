import { resolveLanguage, type Language } from './languages.ts';

/** A reply to a person speaks their Discord client's language (`interaction.locale`). */
export function replyLanguage(interaction: { locale: string }): Language {
  return resolveLanguage(interaction.locale);
}

/**
 * A channel post speaks the alliance's language when one is set, else the server's preferred locale (Community
 * servers set it; others report en-US), else English.
 */
export function channelLanguage(allianceLanguage: string | null | undefined, guildLocale?: string | null): Language {
  return resolveLanguage(allianceLanguage || guildLocale);
}

/**
 * A direct message has no locale of its own: it speaks the locale kept from the member's last /me command, else
 * `fallback` (the alliance's language).
 */
export function memberLanguage(storedLocale: string | null | undefined, fallback: Language): Language {
  return storedLocale ? resolveLanguage(storedLocale) : fallback;
}
