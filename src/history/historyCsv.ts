import { stringify } from 'csv-stringify/sync';
import type { HistoryRow } from '../store/types.ts';

export const HISTORY_COLUMNS = [
  'code',
  'player',
  'name',
  'alliance',
  'status',
  'reason',
  'err_code',
  'answer',
  'time',
] as const;

/**
 * A server's redemption history as CSV with a header, one line per ledger row: the game's raw answer (`err_code`,
 * `answer`) as recorded, the time in ISO 8601 UTC. Names typed by people that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@` first) get a leading apostrophe.
 */
export function formatHistoryCsv(rows: readonly HistoryRow[]): string {
  return stringify(
    rows.map((row) => [
      row.code,
      row.fid,
      safeCell(row.name),
      safeCell(row.allianceName),
      row.status,
      row.reason ?? '',
      row.errCode ?? '',
      row.msg ?? '',
      new Date(row.at).toISOString(),
    ]),
    { header: true, columns: [...HISTORY_COLUMNS], record_delimiter: 'unix' },
  );
}

function safeCell(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@]/.test(value) ? `'${value}` : value;
}
