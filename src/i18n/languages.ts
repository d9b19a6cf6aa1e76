/** The languages giftbot speaks; English is the source and the fallback for any missing text. */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt-BR', 'tr', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEFAULT_LANGUAGE: Language = 'en';

/**
 * The Discord locales each language is registered under (`name_localizations` keys). English is the definitions'
 * own text, so it has none; Spanish covers both of Discord's Spanish locales.
 */
export const DISCORD_LOCALES: Record<Language, readonly string[]> = {
  en: [],
  de: ['de'],
  fr: ['fr'],
  es: ['es-ES', 'es-419'],
  'pt-BR': ['pt-BR'],
  tr: ['tr'],
  ru: ['ru'],
};

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language for a locale tag (a Discord locale such as `de`, `es-419`, `en-GB`, or a setting such as `pt-BR`):
 * the exact language, else the same base language, else English. Brazilian Portuguese stands in for any Portuguese.
 */
export function resolveLanguage(locale: string | null | undefined): Language {
  if (!locale) return DEFAULT_LANGUAGE;
  const tag = locale.trim();
  const exact = LANGUAGES.find((lang) => lang.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const base = tag.split(/[-_]/)[0]?.toLowerCase() ?? '';
  return LANGUAGES.find((lang) => lang.split('-')[0]?.toLowerCase() === base) ?? DEFAULT_LANGUAGE;
}
