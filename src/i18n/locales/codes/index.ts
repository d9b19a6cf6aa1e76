// What the code commands answer: /giftcode, /giftbot, /redeem, the Retry button, and a malformed code.
import en from './en.json' with { type: 'json' };
import de from './de.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };
import es from './es.json' with { type: 'json' };
import ptBR from './pt-BR.json' with { type: 'json' };
import tr from './tr.json' with { type: 'json' };
import ru from './ru.json' with { type: 'json' };
import type { Language } from '../../languages.ts';

export type English = typeof en;
export const TEXTS = { en, de, fr, es, 'pt-BR': ptBR, tr, ru } satisfies Record<Language, object>;
