import { escapeMarkdown, MessageFlags } from 'discord.js';
import { listNames } from '../../../alliances/chooseAlliance.ts';
import { EVENTS } from '../../../log/events.ts';
import { addMembersInBatches, ImportInterruptedError } from '../../../members/addMembersInBatches.ts';
import { MemberCsvError, readMemberCsv, type MemberCsv } from '../../../members/readMemberCsv.ts';
import { allianceProblem, groupByAlliance, needsFallback } from '../../../members/rosterAlliances.ts';
import type { AllianceRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { fetchAttachmentText } from '../../fetchAttachment.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { catchUp } from './memberCatchUp.ts';
import { resolveAlliance } from './resolveAlliance.ts';

/**
 * `/member import file: [skip_invalid:] [alliance:]` — a roster CSV; an `alliance` column sends each line to the
 * alliance it names, the other lines go to `alliance:` (or the server's only alliance).
 */
export async function importMembers(interaction: Parameters<CommandHandler>[0], ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const file = interaction.options.getAttachment('file', true);
  const skipInvalid = interaction.options.getBoolean('skip_invalid') ?? false;
  const { importMaxBytes, importTimeoutMs } = ctx.settings;
  if (file.size > importMaxBytes)
    throw new UserError(
      `That file is ${Math.ceil(file.size / 1024)} KB; the limit is ${Math.floor(importMaxBytes / 1024)} KB.`,
    );
  const alliances = await store.alliances.list({ guildId });
  const named = interaction.options.getString('alliance');
  const fallback =
    named !== null ? await resolveAlliance(store, guildId, named) : alliances.length === 1 ? alliances[0]! : null;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const parsed = await readCsv(
    await fetchAttachmentText(file.url, { maxBytes: importMaxBytes, timeoutMs: importTimeoutMs }),
    allianceProblem(alliances, fallback),
  );
  if (fallback === null && needsFallback(parsed))
    throw new UserError(
      `This server has ${alliances.length} alliances (${escapeMarkdown(listNames(alliances.map((a) => a.name)))}): say which one gets these players with \`alliance:\`, or add an \`alliance\` column to the file.`,
    );
  // The reader lists the first bad lines and counts the rest.
  const rejects = parsed.rejected.map((bad) => `line ${bad.line}: ${escapeMarkdown(bad.reason)}`);
  if (parsed.rejectedCount > parsed.rejected.length)
    rejects.push(`… and ${parsed.rejectedCount - parsed.rejected.length} more`);
  if (parsed.members.length === 0 && parsed.rejectedCount === 0) {
    throw new UserError(
      'That file has no players in it. Give one player a line: `fid,state,name` (state and name may be empty), or columns named `fid`, `state` and `name` in a header line.',
    );
  }
  if (parsed.rejectedCount > 0 && !skipInvalid) {
    await interaction.editReply({
      embeds: [
        {
          title: `Nothing imported: ${parsed.rejectedCount} bad line${parsed.rejectedCount === 1 ? '' : 's'}`,
          color: COLORS.warning,
          description: `${rejects.join('\n')}\n\nFix them and upload again, or add \`skip_invalid:True\` to import the ${parsed.members.length} good line(s).`,
        },
      ],
    });
    return;
  }
  const groups = groupByAlliance(parsed, alliances, fallback, `discord-import:${interaction.user.id}`);
  const result = { created: 0, updated: 0, moved: 0 };
  const catchUps: string[] = [];
  for (const { alliance, members } of groups) {
    try {
      const done = await addMembersInBatches(store.members, alliance.id, members);
      result.created += done.created;
      result.updated += done.updated;
      result.moved += done.moved;
    } catch (error) {
      if (error instanceof ImportInterruptedError) throw new UserError(error.message);
      throw error;
    }
    catchUps.push(
      catchUp(
        ctx,
        alliance,
        members.filter((m) => m.state !== null && m.state !== undefined).map((m) => m.fid),
      ),
    );
  }
  ctx.log.info(
    {
      event: EVENTS.discordImport,
      guildId,
      userId: interaction.user.id,
      created: result.created,
      updated: result.updated,
      rejected: parsed.rejectedCount,
    },
    'roster imported from Discord',
  );
  const total = groups.reduce((n, g) => n + g.members.length, 0);
  await interaction.editReply({
    embeds: [
      {
        title: `Imported ${total} player${total === 1 ? '' : 's'}`,
        color: COLORS.success,
        description: [
          `${result.created} new · ${result.updated} updated · ${parsed.rejectedCount} rejected.${result.moved > 0 ? ` ${result.moved} moved from another alliance.` : ''}${[...new Set(catchUps)].join('')}`,
          ...(alliances.length > 1 ? [perAlliance(groups.map((g) => [g.alliance, g.members.length]))] : []),
          ...(rejects.length > 0 ? ['', ...rejects] : []),
        ].join('\n'),
      },
    ],
  });
}

function perAlliance(counts: [AllianceRecord, number][]): string {
  return counts.map(([alliance, n]) => `**${escapeMarkdown(alliance.name)}**: ${n}`).join(' · ');
}

/** The attachment's text as a roster; a file that is not CSV at all is one message to the admin. */
async function readCsv(text: string, problem: (name: string | null) => string | null): Promise<MemberCsv> {
  try {
    return await readMemberCsv([text], { allianceProblem: problem });
  } catch (error) {
    if (error instanceof MemberCsvError) throw new UserError(error.message);
    throw error;
  }
}
