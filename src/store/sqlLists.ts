import { FINAL_CODE_STATUSES } from '../game/codeStatus.ts';
import { FINAL_LEDGER_STATUSES } from './types.ts';

/** The final statuses as SQL lists, from their one definition, for both stores' queries. */
const sqlList = (values: readonly string[]): string => values.map((value) => `'${value}'`).join(', ');

export const FINAL_LEDGER_IN_SQL = sqlList(FINAL_LEDGER_STATUSES);
export const FINAL_CODE_IN_SQL = sqlList(FINAL_CODE_STATUSES);
