import type { CatalogueKey } from '../i18n/catalogueKeys.ts';
import { formatNames, t, type Vars } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';

/**
 * A mistake the member can fix (a bad code, an unknown player, a server not set up yet). The router answers it with
 * the message alone, ephemerally; anything else is logged and answered with a generic apology.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** The catalogue text this error was made from, so the answer can be in the member's language. */
  readonly text: { key: CatalogueKey; vars: ErrorVars } | null;

  constructor(message: string, text: { key: CatalogueKey; vars: ErrorVars } | null = null) {
    super(message);
    this.text = text;
  }

  /**
   * An error whose text is in the catalogue; its `message` (logs) is the English text. A list of names as a
   * variable is written the way each language lists things ("A, B and C", "A, B und C").
   */
  static fromCatalogue(key: CatalogueKey, vars: ErrorVars = {}): UserError {
    return new UserError(t('en', key, varsIn('en', vars)), { key, vars });
  }

  /** What the member reads: the catalogue text in `lang`, or the plain message of an error made without one. */
  messageIn(lang: Language): string {
    return this.text ? t(lang, this.text.key, varsIn(lang, this.text.vars)) : this.message;
  }
}

/** An error's variables: texts, numbers, or lists of names. */
export type ErrorVars = Record<string, string | number | readonly string[]>;

function varsIn(lang: Language, vars: ErrorVars): Vars {
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name, typeof value === 'object' ? formatNames(lang, value) : value]),
  );
}
