import { ButtonStyle, ComponentType, escapeMarkdown, MessageFlags } from 'discord.js';
import { gameInfo } from '../../../game/games.ts';
import { isValidFid } from '../../../game/playerIds.ts';
import { cleanName } from '../../../members/cleanName.ts';
import type { AllianceRecord, MemberRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { membersPageId } from '../../customIds.ts';
import { COLORS } from '../../embeds/colors.ts';
import { t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
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
        throw UserError.fromCatalogue(alliances.length > 1 ? 'members.notOnAnyRoster' : 'members.notOnRoster', { fid });
      await interaction.reply({
        content: t(replyLanguage(interaction), 'members.removed', { fid }),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'list': {
      // Like every roster command: one alliance, named when the server has several.
      const alliance = await resolveAlliance(store, guildId, interaction.options.getString('alliance'));
      await interaction.reply({
        ...(await rosterView(ctx, guildId, alliances.length > 1 ? alliance.id : null, 0, replyLanguage(interaction))),
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
      throw UserError.fromCatalogue('members.unknownAction');
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
  const lang = replyLanguage(interaction);
  const from = movedFrom === null ? null : await store.alliances.get(movedFrom);
  const size = (await store.members.list(guildId, { allianceIds: [alliance.id] })).length;
  const vars = {
    player: playerText(member.fid, member.name),
    alliance: escapeMarkdown(alliance.name),
    from: from ? escapeMarkdown(from.name) : '',
    state:
      member.state === null
        ? t(lang, 'members.add.stateUnknown')
        : t(lang, 'members.add.state', { state: member.state }),
  };
  // A whole sentence per case: the words around "to" and "from" differ by language.
  const done = created
    ? several
      ? t(lang, 'members.add.addedTo', vars)
      : t(lang, 'members.add.added', vars)
    : movedFrom === null
      ? several
        ? t(lang, 'members.add.updatedTo', vars)
        : t(lang, 'members.add.updated', vars)
      : from
        ? several
          ? t(lang, 'members.add.movedFromTo', vars)
          : t(lang, 'members.add.movedFrom', vars)
        : several
          ? t(lang, 'members.add.movedTo', vars)
          : t(lang, 'members.add.moved', vars);
  const roster = several
    ? t(lang, 'members.add.rosterOf', { alliance: vars.alliance, count: size })
    : t(lang, 'members.add.roster', { count: size });
  await interaction.reply({
    content: `${done} ${roster}${catchUp(ctx, alliance, member.state !== null ? [member.fid] : [], lang)}`,
    flags: MessageFlags.Ephemeral,
  });
}

/** The player as the answers show them: the id in bold, and their name when known. */
function playerText(fid: string, name: string | null): string {
  return `**${fid}**${name ? ` (${escapeMarkdown(name)})` : ''}`;
}

/** `/member move fid: alliance:` — to another alliance of this server; their history is per player, so it stays theirs. */
async function moveMember(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const fid = requireFid(interaction.options.getString('fid', true));
  const target = await resolveAlliance(store, guildId, interaction.options.getString('alliance', true));
  const listed = await store.members.get(guildId, fid);
  if (!listed) throw UserError.fromCatalogue('members.move.notListed', { fid });
  if (listed.allianceId === target.id)
    throw UserError.fromCatalogue('members.move.alreadyThere', { fid, alliance: escapeMarkdown(target.name) });
  await checkSameGame(ctx, listed, target);
  const moved = await store.members.move(guildId, fid, target.id);
  if (!moved) throw UserError.fromCatalogue('members.notOnAnyRoster', { fid });
  const from = await store.alliances.get(moved.from);
  const vars = {
    player: playerText(fid, moved.member.name),
    from: from ? escapeMarkdown(from.name) : '',
    alliance: escapeMarkdown(target.name),
  };
  await interaction.reply({
    content: t(replyLanguage(interaction), from ? 'members.move.done' : 'members.move.doneFromElsewhere', vars),
    flags: MessageFlags.Ephemeral,
  });
}

/** A player id belongs to one game: it cannot go to an alliance of the other game. */
async function checkSameGame(ctx: BotContext, listed: MemberRecord, target: AllianceRecord): Promise<void> {
  if (listed.game === target.game) return;
  const from = await ctx.app.store.alliances.get(listed.allianceId);
  throw UserError.fromCatalogue(from ? 'members.move.otherGame' : 'members.move.otherGameElsewhere', {
    fid: listed.fid,
    from: from ? escapeMarkdown(from.name) : '',
    fromGame: gameInfo(listed.game).name,
    alliance: escapeMarkdown(target.name),
    game: gameInfo(target.game).name,
  });
}

/** The ◀ ▶ buttons under `/member list`. */
export const handleMembersPage: ButtonHandler<{ page: number; allianceId: number | null }> = async (
  interaction,
  { page, allianceId },
  _guild,
  ctx,
) => {
  await requireAlliances(ctx.app.store, interaction.guildId);
  // The member who pressed reads the page in their own language.
  await interaction.update(await rosterView(ctx, interaction.guildId, allianceId, page, replyLanguage(interaction)));
};

/** The roster of one alliance (`allianceId`), or of the server's only alliance (null: the id of old buttons). */
async function rosterView(
  ctx: BotContext,
  guildId: string,
  allianceId: number | null,
  page: number,
  lang: Language,
): Promise<ViewPayload> {
  const { store } = ctx.app;
  const alliances = await store.alliances.list({ guildId });
  // The id comes from a button: only an alliance of this server counts.
  const alliance =
    allianceId === null ? await resolveAlliance(store, guildId, null) : alliances.find((a) => a.id === allianceId);
  if (!alliance) throw UserError.fromCatalogue('members.allianceGone');
  const members = await store.members.list(guildId, { allianceIds: [alliance.id] });
  return memberListView(members, page, alliances.length > 1 ? alliance : null, lang);
}

export function requireFid(raw: string): string {
  const fid = raw.trim();
  if (!isValidFid(fid)) throw UserError.fromCatalogue('members.notAPlayerId', { fid: escapeMarkdown(fid) });
  return fid;
}

const STATE_MARK: Record<MemberRecord['stateStatus'], string> = { ok: '', unknown: ' ❔', wrong: ' ⚠️' };

/** One page of the roster with ◀ ▶ buttons. */
export function memberListView(
  members: readonly MemberRecord[],
  requestedPage: number,
  /** Named in the title and kept in the page buttons when the server has several alliances. */
  alliance: AllianceRecord | null = null,
  lang: Language = 'en',
): ViewPayload {
  const pages = Math.max(1, Math.ceil(members.length / MEMBERS_PER_PAGE));
  const page = Math.min(Math.max(0, requestedPage), pages - 1);
  const shown = members.slice(page * MEMBERS_PER_PAGE, (page + 1) * MEMBERS_PER_PAGE);
  const lines = shown.map(
    (m, i) =>
      t(lang, 'members.list.line', {
        position: page * MEMBERS_PER_PAGE + i + 1,
        fid: m.fid,
        state: m.state ?? '?',
        mark: STATE_MARK[m.stateStatus],
      }) + (m.name ? ` · ${escapeMarkdown(m.name)}` : ''),
  );
  const pageVars = { page: page + 1, pages };
  return {
    embeds: [
      {
        title: alliance
          ? t(lang, 'members.list.titleOf', { alliance: escapeMarkdown(alliance.name), count: members.length })
          : t(lang, 'members.list.title', { count: members.length }),
        color: COLORS.info,
        description: lines.length > 0 ? lines.join('\n') : t(lang, 'members.list.empty'),
        footer: {
          text: members.some((m) => m.stateStatus !== 'ok')
            ? t(lang, 'members.list.pageWithLegend', pageVars)
            : t(lang, 'members.list.page', pageVars),
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
                  label: t(lang, 'members.list.previous'),
                  custom_id: membersPageId(Math.max(0, page - 1), 'prev', alliance?.id ?? null),
                  disabled: page === 0,
                },
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Secondary,
                  label: t(lang, 'members.list.next'),
                  custom_id: membersPageId(Math.min(pages - 1, page + 1), 'next', alliance?.id ?? null),
                  disabled: page >= pages - 1,
                },
              ],
            },
          ]
        : [],
  };
}
