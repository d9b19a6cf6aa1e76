import { stringify } from 'csv-stringify/sync';

/**
 * A roster as CSV with a header (fid,state,name): what `members export` prints and `members import` reads back.
 * Fields holding separators, quotes or line breaks are quoted (RFC 4180), so every name survives the round trip.
 */
export function formatMemberCsv(
  members: readonly { fid: string; state: number | null; name: string | null }[],
): string {
  return stringify(
    members.map((m) => [m.fid, m.state ?? '', m.name ?? '']),
    { header: true, columns: ['fid', 'state', 'name'], quoted_match: /[;\t]/, record_delimiter: 'unix' },
  );
}
