import { stringify } from 'csv-stringify/sync';

/**
 * A roster as CSV with a header (fid,state,name): what `members export` prints and `members import` reads back.
 * Fields holding separators, quotes or line breaks are quoted (RFC 4180), so every name survives the round trip.
 * With `allianceNames` (id → name), a fourth column says each member's alliance, which the import reads back.
 */
export function formatMemberCsv(
  members: readonly { fid: string; state: number | null; name: string | null; allianceId?: number }[],
  allianceNames?: ReadonlyMap<number, string>,
): string {
  const options = { header: true, quoted_match: /[;\t]/, record_delimiter: 'unix' } as const;
  if (!allianceNames)
    return stringify(
      members.map((m) => [m.fid, m.state ?? '', m.name ?? '']),
      { ...options, columns: ['fid', 'state', 'name'] },
    );
  return stringify(
    members.map((m) => [m.fid, m.state ?? '', m.name ?? '', allianceNames.get(m.allianceId ?? -1) ?? '']),
    { ...options, columns: ['fid', 'state', 'name', 'alliance'] },
  );
}
