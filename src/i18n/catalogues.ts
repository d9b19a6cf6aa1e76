import * as alliances from './locales/alliances/index.ts';
import * as admin from './locales/admin/index.ts';
import * as codes from './locales/codes/index.ts';
import * as commands from './locales/commands/index.ts';
import * as runs from './locales/runs/index.ts';
import * as self from './locales/self/index.ts';
import { LANGUAGES, type Language } from './languages.ts';

/** A catalogue: nested objects whose leaves are texts. */
export interface Catalogue {
  [key: string]: string | Catalogue;
}

// One folder per area of the bot (`locales/<area>/<lang>.json`), each with its own top-level sections: an area's
// texts stay small enough to translate in one sitting, and two areas never edit the same file.
export const AREAS = [commands, runs, codes, alliances, self, admin] as const;

/** Every language's catalogue, bundled with the code (English is the source the others are checked against). */
export const CATALOGUES = Object.fromEntries(
  LANGUAGES.map((lang) => [lang, Object.assign({}, ...AREAS.map((area) => area.TEXTS[lang])) as Catalogue]),
) as Record<Language, Catalogue>;

export type EnglishCatalogue = commands.English &
  runs.English &
  codes.English &
  alliances.English &
  self.English &
  admin.English;
