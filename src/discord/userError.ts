import type { CatalogueKey } from '../i18n/catalogueKeys.ts';
import { t, type Vars } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';

/**
 * A mistake the member can fix (a bad code, an unknown player, a server not set up yet). The router answers it with
 * the message alone, ephemerally; anything else is logged and answered with a generic apology.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** The catalogue text this error was made from, so the answer can be in the member's language. */
  readonly text: { key: CatalogueKey; vars: Vars } | null;

  constructor(message: string, text: { key: CatalogueKey; vars: Vars } | null = null) {
    super(message);
    this.text = text;
  }

  /** An error whose text is in the catalogue; its `message` (logs) is the English text. */
  static fromCatalogue(key: CatalogueKey, vars: Vars = {}): UserError {
    return new UserError(t('en', key, vars), { key, vars });
  }

  /** What the member reads: the catalogue text in `lang`, or the plain message of an error made without one. */
  messageIn(lang: Language): string {
    return this.text ? t(lang, this.text.key, this.text.vars) : this.message;
  }
}
