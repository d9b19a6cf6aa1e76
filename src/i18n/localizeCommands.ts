import { ownText } from './i18n.ts';
import { DISCORD_LOCALES, LANGUAGES } from './languages.ts';

type Localizations = Record<string, string>;

interface LocalizableChoice {
  name: string;
  value: string | number;
  [key: string]: unknown;
}

interface Localizable {
  name: string;
  description?: string;
  options?: readonly Localizable[];
  choices?: readonly LocalizableChoice[];
  [key: string]: unknown;
}

/**
 * The definitions as registered: each command, subcommand, option and choice gains `name_localizations` and
 * `description_localizations` from the catalogue (`commands.<command>.options.<sub>.options.<option>…`). The
 * definitions themselves stay English plain data; a text the catalogue lacks is left unlocalised (Discord shows
 * the English), never invented.
 */
export function localizeCommands<T>(definitions: readonly T[]): T[] {
  return definitions.map((definition) => localize(definition as Localizable, 'commands') as T);
}

function localize(item: Localizable, parentKey: string): Localizable {
  const key = `${parentKey}.${item.name}`;
  const out: Localizable = { ...item };
  const names = localizations(`${key}.name`);
  if (names) out.name_localizations = names;
  if (item.description !== undefined) {
    const descriptions = localizations(`${key}.description`);
    if (descriptions) out.description_localizations = descriptions;
  }
  if (item.options) out.options = item.options.map((option) => localize(option, `${key}.options`));
  if (item.choices) {
    out.choices = item.choices.map((choice) => {
      const choiceNames = localizations(`${key}.choices.${String(choice.value)}`);
      return choiceNames ? { ...choice, name_localizations: choiceNames } : { ...choice };
    });
  }
  return out;
}

/** One text per Discord locale of every non-English language whose own catalogue has `key`; null when none has. */
function localizations(key: string): Localizations | null {
  const result: Localizations = {};
  for (const lang of LANGUAGES) {
    const text = lang === 'en' ? null : ownText(lang, key);
    if (text === null) continue;
    for (const locale of DISCORD_LOCALES[lang]) result[locale] = text;
  }
  return Object.keys(result).length > 0 ? result : null;
}
