import type { CatalogueKey } from '../i18n/catalogueKeys.ts';
import { t, type Vars } from '../i18n/i18n.ts';
import type { Language } from '../i18n/languages.ts';

/**
 * What is wrong with a roster file or one of its lines, as a catalogue key and its values: the CLI prints it in
 * English, Discord in the admin's language.
 */
export interface CsvProblem {
  key: CatalogueKey;
  vars: Vars;
}

export function csvProblem(key: CatalogueKey, vars: Vars = {}): CsvProblem {
  return { key, vars };
}

/** The problem in words: English unless a language is given (the CLI and the logs stay English). */
export function csvProblemText(problem: CsvProblem, lang: Language = 'en'): string {
  return t(lang, problem.key, problem.vars);
}
