import { normalizeCode } from '../game/giftCode.ts';
import type { HistoryRow, Store } from '../store/types.ts';
import { formatHistoryCsv } from './historyCsv.ts';

export type HistoryExport =
  | { ok: true; csv: string; rows: HistoryRow[]; filename: string }
  | {
      ok: false;
      problem: 'unknown-guild' | 'bad-code' | 'unknown-code';
      message: string;
      /** The code as given (bad-code) or as normalised (unknown-code), and why it is not one: to say it in a language. */
      code?: string;
      why?: string;
    };

/**
 * The CSV of a server's history (every code, or one): what `/giftcode history` attaches and `giftbot history export`
 * writes. An unknown server or a code giftbot never saw is an error, not an empty file.
 */
export async function exportHistory(
  store: Pick<Store, 'guilds' | 'codes' | 'history'>,
  guildId: string,
  codeText?: string | null,
): Promise<HistoryExport> {
  if (!(await store.guilds.get(guildId)))
    return { ok: false, problem: 'unknown-guild', message: `giftbot knows no server ${guildId}.` };
  let code: string | undefined;
  if (codeText !== undefined && codeText !== null) {
    const parsed = normalizeCode(codeText);
    if (!parsed.ok)
      return {
        ok: false,
        problem: 'bad-code',
        message: `"${codeText}" is not a gift code: ${parsed.reason}.`,
        code: codeText,
        why: parsed.reason,
      };
    code = parsed.code;
  }
  const rows = await store.history.forGuild(guildId, code !== undefined ? { code } : {});
  if (code !== undefined && rows.length === 0) {
    const known = (await store.codes.get('wos', code)) ?? (await store.codes.get('kingshot', code));
    if (!known)
      return { ok: false, problem: 'unknown-code', message: `giftbot has never seen the code ${code}.`, code };
  }
  const filename = `giftbot-history-${guildId}${code !== undefined ? `-${code}` : ''}.csv`;
  return { ok: true, csv: formatHistoryCsv(rows), rows, filename };
}
