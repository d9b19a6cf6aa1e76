import i18next from 'i18next';
import type { CatalogueKey } from './catalogueKeys.ts';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages.ts';
import { CATALOGUES } from './catalogues.ts';

export type Vars = Record<string, string | number>;

// One private instance (not i18next's global one), loaded synchronously from the bundled catalogues: there is
// nothing to fetch, so t() works from the first import.
const instance = i18next.createInstance();
void instance.init({
  resources: Object.fromEntries(LANGUAGES.map((lang) => [lang, { translation: CATALOGUES[lang] }])),
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  // pt-BR must not look for a `pt` catalogue first; every language falls back to English only.
  load: 'currentOnly',
  // Keys are built from data (reason codes such as `skipped:state-unknown`): no namespace prefix in a key.
  nsSeparator: false,
  initAsync: false,
  // Discord renders markdown, not HTML: nothing to escape.
  interpolation: { escapeValue: false },
  returnEmptyString: false,
  returnNull: false,
});

/**
 * The text for `key` in `lang`, with `{{vars}}` filled in; a text missing in `lang` falls back to English. Pass
 * `count` for a text with plural forms (`key_one`, `key_other`, … chosen by the language's plural rules).
 */
export function t(lang: Language, key: CatalogueKey, vars: Vars = {}): string {
  const translate = instance.t as unknown as (key: string, options: Vars & { lng: string }) => string;
  return translate(key, { ...vars, lng: lang });
}

/** Whether the catalogue has `key` (in `lang` or English): for texts keyed by data, e.g. a reason code. */
export function hasText(lang: Language, key: string): boolean {
  return instance.exists(key, { lng: lang });
}

/** A number as the language writes it (decimal comma in German, …), without thousands separators. */
export function formatNumber(lang: Language, value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(lang, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
    useGrouping: false,
  }).format(value);
}

/** The text for a key built from data (a reason or trigger code), or `fallback` when the catalogue has none. */
export function textOr(lang: Language, key: string, fallback: string, vars: Vars = {}): string {
  return hasText(lang, key) ? t(lang, key as CatalogueKey, vars) : fallback;
}

/** The language's own text for `key` (no fallback to English), or null: for what must not borrow English. */
export function ownText(lang: Language, key: string): string | null {
  const text: unknown = instance.getResource(lang, 'translation', key);
  return typeof text === 'string' && text !== '' ? text : null;
}

/** Names as a sentence lists them, each in quotes: `"A", "B" and "C"` in English, `"A", "B" und "C"` in German. */
export function formatNames(lang: Language, names: readonly string[]): string {
  // British English: no comma before "and", as giftbot's English texts have always written it.
  const locale = lang === 'en' ? 'en-GB' : lang;
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names.map((n) => `"${n}"`));
}
