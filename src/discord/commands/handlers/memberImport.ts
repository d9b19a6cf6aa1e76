import { escapeMarkdown, MessageFlags } from 'discord.js';
import { t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import { EVENTS } from '../../../log/events.ts';
import { addMembersInBatches, ImportInterruptedError } from '../../../members/addMembersInBatches.ts';
import { csvProblemText, type CsvProblem } from '../../../members/csvProblem.ts';
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
  const lang = replyLanguage(interaction);
  if (file.size > importMaxBytes)
    throw UserError.fromCatalogue('upload.tooLargeKb', {
      size: Math.ceil(file.size / 1024),
      limit: Math.floor(importMaxBytes / 1024),
    });
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
    throw UserError.fromCatalogue('members.import.whichAlliance', {
      allianceCount: alliances.length,
      names: alliances.map((a) => escapeMarkdown(a.name)),
    });
  const rejects = rejectLines(parsed, lang);
  if (parsed.members.length === 0 && parsed.rejectedCount === 0)
    throw UserError.fromCatalogue('members.import.noPlayers');
  if (parsed.rejectedCount > 0 && !skipInvalid) {
    await interaction.editReply({
      embeds: [
        {
          title: t(lang, 'members.import.refusedTitle', { count: parsed.rejectedCount }),
          color: COLORS.warning,
          description: t(lang, 'members.import.refused', {
            rejects: rejects.join('\n'),
            good: parsed.members.length,
          }),
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
      if (error instanceof ImportInterruptedError)
        throw UserError.fromCatalogue('members.import.interrupted', {
          written: error.written,
          total: error.total,
          cause: error.cause instanceof Error ? error.cause.message : String(error.cause),
        });
      throw error;
    }
    catchUps.push(
      catchUp(
        ctx,
        alliance,
        members.filter((m) => m.state !== null && m.state !== undefined).map((m) => m.fid),
        lang,
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
        title: t(lang, 'members.import.doneTitle', { count: total }),
        color: COLORS.success,
        description: [
          t(lang, result.moved > 0 ? 'members.import.countsMoved' : 'members.import.counts', {
            created: result.created,
            updated: result.updated,
            rejected: parsed.rejectedCount,
            moved: result.moved,
          }) + [...new Set(catchUps)].join(''),
          ...(alliances.length > 1 ? [perAlliance(groups.map((g) => [g.alliance, g.members.length]))] : []),
          ...(rejects.length > 0 ? ['', ...rejects] : []),
        ].join('\n'),
      },
    ],
  });
}

/** The first bad lines with their reasons, and how many more (the reader lists some and counts the rest). */
function rejectLines(parsed: MemberCsv, lang: Language): string[] {
  const lines = parsed.rejected.map((bad) =>
    t(lang, 'members.import.badLine', { line: bad.line, reason: escapeMarkdown(csvProblemText(bad.problem, lang)) }),
  );
  const more = parsed.rejectedCount - parsed.rejected.length;
  if (more > 0) lines.push(t(lang, 'members.import.moreBadLines', { count: more }));
  return lines;
}

function perAlliance(counts: [AllianceRecord, number][]): string {
  return counts.map(([alliance, n]) => `**${escapeMarkdown(alliance.name)}**: ${n}`).join(' · ');
}

/** The attachment's text as a roster; a file that is not CSV at all is one message to the admin. */
async function readCsv(text: string, problem: (name: string | null) => CsvProblem | null): Promise<MemberCsv> {
  try {
    return await readMemberCsv([text], { allianceProblem: problem });
  } catch (error) {
    // The reader's problem in the admin's language (its message stays English for the logs).
    if (error instanceof MemberCsvError) throw new UserError(error.message, error.problem);
    throw error;
  }
}
