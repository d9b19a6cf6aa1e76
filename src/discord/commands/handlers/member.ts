import { ButtonStyle, ComponentType, escapeMarkdown, MessageFlags } from 'discord.js';
import { isValidFid } from '../../../game/playerIds.ts';
import { EVENTS } from '../../../log/events.ts';
import { addMembersInBatches, ImportInterruptedError } from '../../../members/addMembersInBatches.ts';
import { cleanName } from '../../../members/cleanName.ts';
import { MemberCsvError, readMemberCsv, type MemberCsv } from '../../../members/readMemberCsv.ts';
import type { GuildRecord, MemberRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { membersPageId } from '../../customIds.ts';
import { COLORS } from '../../embeds/colors.ts';
import { fetchAttachmentText } from '../../fetchAttachment.ts';
import type { ViewPayload } from '../../runs/progressView.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler, CommandHandler } from '../commandHandler.ts';
import { resolveStates } from './memberResolve.ts';
import { requireAlliance } from './requireAlliance.ts';

export const MEMBERS_PER_PAGE = 15;

/** `/member add|remove|list|import|resolve` */
export const handleMember: CommandHandler = async (interaction, guild, ctx) => {
  const alliance = requireAlliance(guild);
  const { store } = ctx.app;
  switch (interaction.options.getSubcommand()) {
    case 'add': {
      const fid = requireFid(interaction.options.getString('fid', true));
      const state = interaction.options.getInteger('state') ?? alliance.defaultState;
      const name = cleanName(interaction.options.getString('name'));
      const { created, member } = await store.members.add(alliance.id, {
        fid,
        state,
        name,
        addedBy: `discord:${interaction.user.id}`,
      });
      const stateText = member.state === null ? 'state unknown (set it with `state:`)' : `state ${member.state}`;
      await interaction.reply({
        content: `${created ? 'Added' : 'Updated'} player **${member.fid}**${member.name ? ` (${escapeMarkdown(member.name)})` : ''} · ${stateText}. The roster has ${(await store.members.list(alliance.id)).length} members.${catchUp(ctx, alliance, member.state !== null ? [member.fid] : [])}`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'remove': {
      const fid = requireFid(interaction.options.getString('fid', true));
      if (!(await store.members.remove(alliance.id, fid)))
        throw new UserError(`Player ${fid} is not on this alliance's roster.`);
      await interaction.reply({
        content: `Removed player **${fid}** from the roster; their redemption history is kept.`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'list': {
      const members = await store.members.list(alliance.id);
      await interaction.reply({ ...memberListView(members, 0), flags: MessageFlags.Ephemeral });
      return;
    }
    case 'import':
      await importMembers(interaction, alliance, ctx);
      return;
    case 'resolve': {
      const raw = interaction.options.getString('fid');
      await resolveStates(interaction, alliance, raw === null ? null : requireFid(raw), ctx);
      return;
    }
    default:
      throw new UserError('Unknown /member action.');
  }
};

/** The ◀ ▶ buttons under `/member list`. */
export const handleMembersPage: ButtonHandler<{ page: number }> = async (interaction, { page }, guild, ctx) => {
  const alliance = requireAlliance(guild);
  await interaction.update(memberListView(await ctx.app.store.members.list(alliance.id), page));
};

async function importMembers(
  interaction: Parameters<CommandHandler>[0],
  alliance: GuildRecord,
  ctx: BotContext,
): Promise<void> {
  const file = interaction.options.getAttachment('file', true);
  const skipInvalid = interaction.options.getBoolean('skip_invalid') ?? false;
  const { importMaxBytes, importTimeoutMs } = ctx.settings;
  if (file.size > importMaxBytes)
    throw new UserError(
      `That file is ${Math.ceil(file.size / 1024)} KB; the limit is ${Math.floor(importMaxBytes / 1024)} KB.`,
    );
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const parsed = await readCsv(
    await fetchAttachmentText(file.url, { maxBytes: importMaxBytes, timeoutMs: importTimeoutMs }),
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
  const members = parsed.members.map((member) => ({
    ...member,
    state: member.state ?? alliance.defaultState,
    addedBy: `discord-import:${interaction.user.id}`,
  }));
  let result: { created: number; updated: number };
  try {
    result = await addMembersInBatches(ctx.app.store.members, alliance.id, members);
  } catch (error) {
    if (error instanceof ImportInterruptedError) throw new UserError(error.message);
    throw error;
  }
  ctx.log.info(
    {
      event: EVENTS.discordImport,
      guildId: alliance.id,
      userId: interaction.user.id,
      created: result.created,
      updated: result.updated,
      rejected: parsed.rejectedCount,
    },
    'roster imported from Discord',
  );
  await interaction.editReply({
    embeds: [
      {
        title: `Imported ${members.length} player${members.length === 1 ? '' : 's'}`,
        color: COLORS.success,
        description: [
          `${result.created} new · ${result.updated} updated · ${parsed.rejectedCount} rejected.${catchUp(
            ctx,
            alliance,
            members.filter((m) => m.state !== null).map((m) => m.fid),
          )}`,
          ...(rejects.length > 0 ? ['', ...rejects] : []),
        ].join('\n'),
      },
    ],
  });
}

/** The attachment's text as a roster; a file that is not CSV at all is one message to the admin. */
async function readCsv(text: string): Promise<MemberCsv> {
  try {
    return await readMemberCsv([text]);
  } catch (error) {
    if (error instanceof MemberCsvError) throw new UserError(error.message);
    throw error;
  }
}

/**
 * New (or re-stated) members get the codes still valid for the game, in the background (auto-redeem alliances only;
 * the runs show in the results channel). Returns a sentence for the answer.
 */
function catchUp(ctx: BotContext, alliance: GuildRecord, fids: readonly string[]): string {
  if (!alliance.autoRedeem || fids.length === 0) return '';
  void ctx.discovery.catchUpMembers(alliance.id, fids).catch((error: unknown) => {
    ctx.log.error(
      { event: EVENTS.discordCommandFailed, guildId: alliance.id, command: 'member catch-up', err: error },
      'catch-up for new members failed',
    );
  });
  return alliance.resultChannelId
    ? ` Any codes still valid are redeemed for them now (progress in <#${alliance.resultChannelId}>).`
    : ' Any codes still valid are redeemed for them now.';
}

function requireFid(raw: string): string {
  const fid = raw.trim();
  if (!isValidFid(fid))
    throw new UserError(`"${escapeMarkdown(fid)}" is not a player id: digits only, as shown in the game profile.`);
  return fid;
}

const STATE_MARK: Record<MemberRecord['stateStatus'], string> = { ok: '', unknown: ' ❔', wrong: ' ⚠️' };

/** One page of the roster with ◀ ▶ buttons. */
export function memberListView(members: readonly MemberRecord[], requestedPage: number): ViewPayload {
  const pages = Math.max(1, Math.ceil(members.length / MEMBERS_PER_PAGE));
  const page = Math.min(Math.max(0, requestedPage), pages - 1);
  const shown = members.slice(page * MEMBERS_PER_PAGE, (page + 1) * MEMBERS_PER_PAGE);
  const lines = shown.map(
    (m, i) =>
      `${page * MEMBERS_PER_PAGE + i + 1}. \`${m.fid}\` · state ${m.state ?? '?'}${STATE_MARK[m.stateStatus]}${m.name ? ` · ${escapeMarkdown(m.name)}` : ''}`,
  );
  return {
    embeds: [
      {
        title: `Roster · ${members.length} member${members.length === 1 ? '' : 's'}`,
        color: COLORS.info,
        description:
          lines.length > 0 ? lines.join('\n') : 'Nobody yet. Add players with `/member add` or `/member import`.',
        footer: {
          text: `Page ${page + 1} of ${pages}${members.some((m) => m.stateStatus !== 'ok') ? ' · ❔ state unknown · ⚠️ the game refused the state — /member resolve looks them up' : ''}`,
        },
      },
    ],
    components:
      pages > 1
        ? [
            {
              type: ComponentType.ActionRow,
              components: [
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Secondary,
                  label: '◀ Previous',
                  custom_id: membersPageId(Math.max(0, page - 1), 'prev'),
                  disabled: page === 0,
                },
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Secondary,
                  label: 'Next ▶',
                  custom_id: membersPageId(Math.min(pages - 1, page + 1), 'next'),
                  disabled: page >= pages - 1,
                },
              ],
            },
          ]
        : [],
  };
}
