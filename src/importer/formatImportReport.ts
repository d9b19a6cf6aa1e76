import type { ImportCounts } from '../store/types.ts';
import type { WhiteoutBotImportReport } from './whiteoutBot/importWhiteoutBot.ts';

function counts(c: ImportCounts, dryRun: boolean): string {
  const verb = dryRun ? 'would be ' : '';
  return `${c.created} ${verb}new, ${c.updated} ${verb}updated, ${c.unchanged} unchanged, ${c.skipped} skipped`;
}

const ACTIONS = {
  create: ['would create', 'created'],
  match: ['would add to', 'added to'],
  skip: ['would leave alone', 'left alone'],
} as const;

/** The import report as lines for the command line. */
export function formatImportReport(report: WhiteoutBotImportReport): string[] {
  const { result, read, dryRun } = report;
  const v = result.verified;
  const lines = [
    `Read ${report.folder}: ${read.alliances} alliance(s), ${read.users} user(s), ${read.codes} code(s), ${read.redemptions} redemption row(s).`,
    dryRun ? 'Dry run: nothing was written. The import would do this:' : 'Imported in one transaction:',
    `  servers:            ${counts(result.guilds, dryRun)}`,
    `  alliances:          ${counts(result.alliances, dryRun)}`,
    `  members:            ${counts(result.members, dryRun)}`,
    `  codes:              ${counts(result.codes, dryRun)}`,
    `  redemption history: ${counts(result.ledger, dryRun)}  (members never called again for these)`,
    `${dryRun ? 'Checked inside the rolled-back transaction' : 'Checked before committing'}: ${v.guilds} server(s), ${v.alliances} alliance(s), ${v.members} member(s), ${v.codes} code(s), ${v.ledger} history row(s) present, as expected.`,
  ];
  if (report.alliances.length > 0) lines.push('Alliances:');
  for (const a of report.alliances) {
    const verb = ACTIONS[a.action ?? 'create'][dryRun ? 0 : 1];
    const stateless = a.membersWithoutState > 0 ? ` (${a.membersWithoutState} without a state)` : '';
    lines.push(
      `  ${verb} "${a.name}" on server ${a.guildId} (alliance ${a.sourceId} in the old bot)  state ${a.defaultState ?? 'unknown'}  ${a.members} member(s)${stateless}`,
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
  const toResolve = [...new Set(report.alliances.filter((a) => a.membersWithoutState > 0).map((a) => a.guildId))];
  if (toResolve.length > 0) {
    lines.push(
      `Next: find the missing states with ${toResolve.map((id) => `giftbot members resolve ${id}`).join(' and ')}.`,
    );
  }
  if (dryRun) lines.push('Run again without --dry-run to import.');
  return lines;
}
