import de from './locales/de.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };
import ptBR from './locales/pt-BR.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import tr from './locales/tr.json' with { type: 'json' };
import type { Language } from './languages.ts';

/** A catalogue: nested objects whose leaves are texts. */
export interface Catalogue {
  [key: string]: string | Catalogue;
}

/** Every language's catalogue, bundled with the code (English is the source the others are checked against). */
export const CATALOGUES: Record<Language, Catalogue> = { en, de, fr, es, 'pt-BR': ptBR, tr, ru };

export type EnglishCatalogue = typeof en;
