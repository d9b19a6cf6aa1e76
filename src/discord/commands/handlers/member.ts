import { ButtonStyle, ComponentType, escapeMarkdown, MessageFlags } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import { isValidFid } from '../../../game/playerIds.ts';
import { cleanName } from '../../../members/cleanName.ts';
import type { AllianceRecord, MemberRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { membersPageId } from '../../customIds.ts';
import { COLORS } from '../../embeds/colors.ts';
import type { ViewPayload } from '../../runs/progressView.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler, CommandHandler } from '../commandHandler.ts';
import { catchUp } from './memberCatchUp.ts';
import { importMembers } from './memberImport.ts';
import { unlinkMember } from './memberUnlink.ts';
import { resolveStates } from './memberResolve.ts';
import { requireAlliances, resolveAlliance } from './resolveAlliance.ts';

export const MEMBERS_PER_PAGE = 15;

type Interaction = Parameters<CommandHandler>[0];

/** `/member add|remove|list|import|resolve|move|unlink` */
export const handleMember: CommandHandler = async (interaction, _guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const alliances = await requireAlliances(store, guildId);
  switch (interaction.options.getSubcommand()) {
    case 'add':
      return addMember(interaction, ctx);
    case 'remove': {
      // A player is on one roster per server: removing needs no alliance.
      const fid = requireFid(interaction.options.getString('fid', true));
      if (!(await store.members.remove(guildId, fid)))
        throw new UserError(
          alliances.length > 1
            ? `Player ${fid} is not on any alliance's roster here.`
            : `Player ${fid} is not on this alliance's roster.`,
        );
      await interaction.reply({
        content: `Removed player **${fid}** from the roster; their redemption history is kept.`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'list': {
      // Like every roster command: one alliance, named when the server has several.
      const alliance = await resolveAlliance(store, guildId, interaction.options.getString('alliance'));
      await interaction.reply({
        ...(await rosterView(ctx, guildId, alliances.length > 1 ? alliance.id : null, 0)),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'import':
      await importMembers(interaction, ctx);
      return;
    case 'resolve': {
      const raw = interaction.options.getString('fid');
      await resolveStates(interaction, guildId, raw === null ? null : requireFid(raw), ctx);
      return;
    }
    case 'move':
      return moveMember(interaction, ctx);
    case 'unlink':
      return unlinkMember(interaction, ctx);
    default:
      throw new UserError('Unknown /member action.');
  }
};

/** `/member add fid: [state:] [name:] [alliance:]` — a player already on another alliance here moves over. */
async function addMember(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const alliance = await resolveAlliance(store, guildId, interaction.options.getString('alliance'));
  const fid = requireFid(interaction.options.getString('fid', true));
  const listed = await store.members.get(guildId, fid);
  if (listed && listed.allianceId !== alliance.id) await checkSameGame(ctx, listed, alliance);
  const state = interaction.options.getInteger('state') ?? alliance.defaultState;
  const name = cleanName(interaction.options.getString('name'));
  const { created, movedFrom, member } = await store.members.add(alliance.id, {
    fid,
    state,
    name,
    addedBy: `discord:${interaction.user.id}`,
  });
  const several = (await store.alliances.list({ guildId })).length > 1;
  const stateText = member.state === null ? 'state unknown (set it with `state:`)' : `state ${member.state}`;
  const from = movedFrom === null ? null : await store.alliances.get(movedFrom);
  const verb = created ? 'Added' : movedFrom !== null ? 'Moved' : 'Updated';
  const where = several ? ` to **${escapeMarkdown(alliance.name)}**` : '';
  const moved = from ? ` from **${escapeMarkdown(from.name)}**` : '';
  const size = (await store.members.list(guildId, { allianceIds: [alliance.id] })).length;
  await interaction.reply({
    content: `${verb} player **${member.fid}**${member.name ? ` (${escapeMarkdown(member.name)})` : ''}${moved}${where} · ${stateText}. The roster${several ? ` of **${escapeMarkdown(alliance.name)}**` : ''} has ${size} members.${catchUp(ctx, alliance, member.state !== null ? [member.fid] : [])}`,
    flags: MessageFlags.Ephemeral,
  });
}

/** `/member move fid: alliance:` — to another alliance of this server; their history is per player, so it stays theirs. */
async function moveMember(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const fid = requireFid(interaction.options.getString('fid', true));
  const target = await resolveAlliance(store, guildId, interaction.options.getString('alliance', true));
  const listed = await store.members.get(guildId, fid);
  if (!listed)
    throw new UserError(
      `Player ${fid} is not on any alliance's roster here. Add them with \`/member add fid:${fid}\`.`,
    );
  if (listed.allianceId === target.id)
    throw new UserError(`Player ${fid} is already on the roster of **${escapeMarkdown(target.name)}**.`);
  await checkSameGame(ctx, listed, target);
  const moved = await store.members.move(guildId, fid, target.id);
  if (!moved) throw new UserError(`Player ${fid} is not on any alliance's roster here.`);
  const from = await store.alliances.get(moved.from);
  await interaction.reply({
    content: `Moved player **${fid}**${moved.member.name ? ` (${escapeMarkdown(moved.member.name)})` : ''} from **${escapeMarkdown(from?.name ?? 'another alliance')}** to **${escapeMarkdown(target.name)}**; their redemption history goes with them.`,
    flags: MessageFlags.Ephemeral,
  });
}

/** A player id belongs to one game: it cannot go to an alliance of the other game. */
async function checkSameGame(ctx: BotContext, listed: MemberRecord, target: AllianceRecord): Promise<void> {
  if (listed.game === target.game) return;
  const from = await ctx.app.store.alliances.get(listed.allianceId);
  throw new UserError(
    `Player ${listed.fid} is listed in **${escapeMarkdown(from?.name ?? 'another alliance')}** (${gameInfo(listed.game).name}); **${escapeMarkdown(target.name)}** plays ${gameInfo(target.game).name}. A player id is listed once per server: remove them there first if this is another player.`,
  );
}

/** The ◀ ▶ buttons under `/member list`. */
export const handleMembersPage: ButtonHandler<{ page: number; allianceId: number | null }> = async (
  interaction,
  { page, allianceId },
  _guild,
  ctx,
) => {
  await requireAlliances(ctx.app.store, interaction.guildId);
  await interaction.update(await rosterView(ctx, interaction.guildId, allianceId, page));
};

/** The roster of one alliance (`allianceId`), or of the server's only alliance (null: the id of old buttons). */
async function rosterView(
  ctx: BotContext,
  guildId: string,
  allianceId: number | null,
  page: number,
): Promise<ViewPayload> {
  const { store } = ctx.app;
  const alliances = await store.alliances.list({ guildId });
  // The id comes from a button: only an alliance of this server counts.
  const alliance =
    allianceId === null ? await resolveAlliance(store, guildId, null) : alliances.find((a) => a.id === allianceId);
  if (!alliance) throw new UserError('That alliance is not here any more.');
  const members = await store.members.list(guildId, { allianceIds: [alliance.id] });
  return memberListView(members, page, alliances.length > 1 ? alliance : null);
}

export function requireFid(raw: string): string {
  const fid = raw.trim();
  if (!isValidFid(fid))
    throw new UserError(`"${escapeMarkdown(fid)}" is not a player id: digits only, as shown in the game profile.`);
  return fid;
}

const STATE_MARK: Record<MemberRecord['stateStatus'], string> = { ok: '', unknown: ' ❔', wrong: ' ⚠️' };

/** One page of the roster with ◀ ▶ buttons. */
export function memberListView(
  members: readonly MemberRecord[],
  requestedPage: number,
  /** Named in the title and kept in the page buttons when the server has several alliances. */
  alliance: AllianceRecord | null = null,
): ViewPayload {
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
        title: `Roster${alliance ? ` · ${escapeMarkdown(alliance.name)}` : ''} · ${members.length} member${members.length === 1 ? '' : 's'}`,
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
                  custom_id: membersPageId(Math.max(0, page - 1), 'prev', alliance?.id ?? null),
                  disabled: page === 0,
                },
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Secondary,
                  label: 'Next ▶',
                  custom_id: membersPageId(Math.min(pages - 1, page + 1), 'next', alliance?.id ?? null),
                  disabled: page >= pages - 1,
                },
              ],
            },
          ]
        : [],
  };
}
