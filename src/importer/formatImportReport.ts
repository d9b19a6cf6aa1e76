import type { ImportCounts } from '../store/types.ts';
import type { WhiteoutBotImportReport } from './whiteoutBot/importWhiteoutBot.ts';

function counts(c: ImportCounts, dryRun: boolean): string {
  const verb = dryRun ? 'would be ' : '';
  return `${c.created} ${verb}new, ${c.updated} ${verb}updated, ${c.unchanged} unchanged, ${c.skipped} skipped`;
}

/** The import report as lines for the command line. */
export function formatImportReport(report: WhiteoutBotImportReport): string[] {
  const { result, read, dryRun } = report;
  const lines = [
    `Read ${report.folder}: ${read.alliances} alliance(s), ${read.users} user(s), ${read.codes} code(s), ${read.redemptions} redemption row(s).`,
    dryRun ? 'Dry run: nothing was written. The import would do this:' : 'Imported in one transaction:',
    `  alliances (guilds): ${counts(result.guilds, dryRun)}`,
    `  members:            ${counts(result.members, dryRun)}`,
    `  codes:              ${counts(result.codes, dryRun)}`,
    `  redemption history: ${counts(result.ledger, dryRun)}  (members never called again for these)`,
    `${dryRun ? 'Checked inside the rolled-back transaction' : 'Checked before committing'}: ${result.verified.guilds} guild(s), ${result.verified.members} member(s), ${result.verified.codes} code(s), ${result.verified.ledger} history row(s) present, as expected.`,
  ];
  if (report.guilds.length > 0) lines.push('Guilds:');
  for (const g of report.guilds) {
    const alliances =
      g.allianceIds.length === 1 ? `alliance ${g.allianceIds[0]}` : `alliances ${g.allianceIds.join(', ')}`;
    const stateless = g.membersWithoutState > 0 ? ` (${g.membersWithoutState} without a state)` : '';
    lines.push(
      `  ${g.id}  ${g.name ? `"${g.name}" ` : ''}(${alliances})  state ${g.defaultState ?? 'unknown'}  ${g.members} member(s)${stateless}`,
    );
  }
  const notFinal = Object.entries(report.historyNotFinal);
  if (notFinal.length > 0) {
    lines.push(
      `Not taken from the history (the old bot's answer was not final, so giftbot will redeem these): ${notFinal.map(([status, n]) => `${status} × ${n}`).join(', ')}`,
    );
  }
  if (report.problems.length > 0) lines.push('Problems (reported, not fatal):');
  for (const p of report.problems) {
    const more = p.more > 0 ? `, … (+${p.more} more)` : '';
    lines.push(`  - ${p.message}: ${p.count} — ${p.examples.join(', ')}${more}`);
  }
  const notes = [...report.sourceNotes, ...result.notes];
  if (notes.length > 0) lines.push('Notes:');
  for (const note of notes) lines.push(`  - ${note}`);
  const toResolve = report.guilds.filter((g) => g.membersWithoutState > 0);
  if (toResolve.length > 0) {
    lines.push(
      `Next: find the missing states with ${toResolve.map((g) => `giftbot members resolve ${g.id}`).join(' and ')}.`,
    );
  }
  if (dryRun) lines.push('Run again without --dry-run to import.');
  return lines;
}
