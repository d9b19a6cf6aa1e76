import { escapeMarkdown, type APIEmbed } from 'discord.js';
import type { DiscoverySummary, MemberDiscovery } from '../../members/discoverySummary.ts';
import { COLORS } from './colors.ts';
import { progressBar } from './progressBar.ts';

const SHOWN_MEMBERS = 15;

/** While `/member resolve` searches: members done so far, by outcome. */
export function stateSearchProgressEmbed(done: readonly MemberDiscovery[], total: number, startedAt: number): APIEmbed {
  const count = (outcome: MemberDiscovery['outcome']) => done.filter((m) => m.outcome === outcome).length;
  return {
    title: "🔎 Looking up members' states",
    color: COLORS.progress,
    description: `${progressBar(done.length, total)}\n**${done.length} / ${total}** members done · started <t:${Math.floor(startedAt / 1000)}:R>\nOne call per state tried, at the pace the game allows; redemptions go first.`,
    fields: [
      { name: '✅ Found', value: String(count('found')), inline: true },
      { name: '❔ Not found', value: String(count('not-found')), inline: true },
      { name: '⛔ No such player', value: String(count('no-such-player')), inline: true },
    ],
  };
}

/** The end of a state search: green all found, orange some not, red stopped or refused by the game. */
export function stateSearchSummaryEmbed(summary: DiscoverySummary): APIEmbed {
  const { counts } = summary;
  const stopped = summary.status === 'aborted' || summary.status === 'config-error';
  const color = stopped ? COLORS.error : counts.found === counts.total ? COLORS.success : COLORS.warning;
  const title = stopped
    ? '⛔ State lookup stopped'
    : counts.total === 0
      ? '✅ Every state is known'
      : `${counts.found === counts.total ? '✅' : '⚠️'} States found for ${counts.found} of ${counts.total} members`;
  const lines = summary.members
    .slice(0, SHOWN_MEMBERS)
    .map((m) => `\`${m.fid}\` ${memberResult(m)}${m.name ? ` · ${escapeMarkdown(m.name)}` : ''}`);
  if (summary.members.length > SHOWN_MEMBERS) lines.push(`… and ${summary.members.length - SHOWN_MEMBERS} more`);
  return {
    title,
    color,
    description: summary.message.slice(0, 2000),
    fields: [
      ...(lines.length > 0 ? [{ name: 'Members', value: lines.join('\n').slice(0, 1024) }] : []),
      ...summary.catchUp
        .slice(0, 5)
        .map((run) => ({ name: `Catch-up ${run.code}`, value: run.message.slice(0, 1024) })),
    ],
    footer: {
      text: `${summary.probes} probes · ${summary.transient} busy answers retried · ${(summary.durationMs / 1000).toFixed(1)} s`,
    },
  };
}

function memberResult(m: MemberDiscovery): string {
  switch (m.outcome) {
    case 'found':
      return `→ state **${m.state}**${m.previousState !== null ? ` (was ${m.previousState})` : ''}`;
    case 'not-found':
      return `not found (${m.ruledOut} states ruled out)`;
    case 'no-such-player':
      return 'is not a player the game knows — check the id';
    default:
      return `not finished${m.reason ? ` (${m.reason})` : ''}: run it again to go on`;
  }
}
