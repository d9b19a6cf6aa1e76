import { MessageFlags, type APIEmbed } from 'discord.js';
import { GAMES, gameInfo, type Game } from '../../../game/games.ts';
import type { RunRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { triggerText } from '../../embeds/progressEmbed.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

const TROUBLE: ReadonlySet<RunRecord['outcome']> = new Set(['failed', 'config-error', 'aborted', 'interrupted']);

/** `/giftbot status` — what the bot is doing: this server's runs in detail, the rest of the bot only as counts. */
export const handleGiftbot: CommandHandler = async (interaction, _guild, ctx) => {
  if (interaction.options.getSubcommand() !== 'status') throw new UserError('Unknown /giftbot action.');
  const games = new Set((await ctx.app.store.alliances.list({ guildId: interaction.guildId })).map((a) => a.game));
  await interaction.reply({
    embeds: [await statusEmbed(interaction.guildId, games, ctx)],
    flags: MessageFlags.Ephemeral,
  });
};

async function statusEmbed(guildId: string, games: ReadonlySet<Game>, ctx: BotContext): Promise<APIEmbed> {
  const { app, client } = ctx;
  const status = await app.status();
  const ago = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

  // This server's runs in detail; other servers' only as counts (their codes and ids are none of this server's business).
  const mine = status.activeRuns.filter((run) => run.guildId === guildId);
  const runs = mine.map(
    (run) =>
      `🔒 **${run.code}** · ${triggerText(run.trigger)} · ${run.processed}/${run.total} · since ${ago(run.startedAt)}${run.runId !== null ? ` · run #${run.runId}` : ''}`,
  );
  const deferredHere = status.deferredRuns.filter((run) => run.guildId === guildId);
  const deferred = deferredHere.map(
    (run) =>
      `⏸️ **${run.code}** · waiting since ${ago(run.deferredAt)} · ${run.attempts} tries · next ${ago(run.nextAttemptAt)}${run.reason ? ` · ${run.reason.slice(0, 80)}` : ''}`,
  );

  const gamesOn = (host: string) => GAMES.filter((g) => new URL(app.config.apiBases[g]).host === host);
  const waiting = status.budgets.reduce((n, budget) => n + budget.waiting, 0);
  const budgets = status.budgets.map((budget) => {
    const names =
      gamesOn(budget.host)
        .map((g) => (games.has(g) ? `**${gameInfo(g).name}**` : gameInfo(g).name))
        .join(', ') || budget.host;
    const why = budget.pauseReason === 'retry-after' ? 'the game asked us to wait' : 'its window refills';
    const paused =
      budget.pausedUntil > Date.now()
        ? ` · ⏳ waiting for the game's rate limit (${why}) until <t:${Math.ceil(budget.pausedUntil / 1000)}:T>, ${ago(budget.pausedUntil)}`
        : '';
    return `${names}: ${budget.available}/${budget.limit} calls left per ${Math.round(budget.windowMs / 1000)} s from ${budget.egress === 'default' ? 'the default address' : budget.egress} · ${BUDGET_MODE[budget.mode]}${paused} · ${budget.rateLimited} rate-limited`;
  });

  const errors = [
    ...ctx.recentErrors.list(guildId).map((e) => ({ at: e.at, text: e.what })),
    ...(await app.store.runs.listRecent(guildId, 20))
      .filter((run) => TROUBLE.has(run.outcome))
      .map((run) => ({
        at: run.finishedAt ?? run.startedAt,
        text: `${run.code}: ${run.outcome.replace('_', ' ')}${run.message ? ` — ${run.message}` : ''}`,
      })),
  ]
    .sort((a, b) => b.at - a.at)
    .slice(0, 5)
    .map((e) => `${ago(e.at)} ${e.text}`.slice(0, 200));

  const fields: NonNullable<APIEmbed['fields']> = [
    {
      name: `Runs in progress here (lock holders) · ${mine.length}`,
      value: runs.length > 0 ? runs.join('\n').slice(0, 1024) : 'none',
    },
  ];
  if (deferred.length > 0)
    fields.push({
      name: `Waiting for the shared lock · ${deferred.length}`,
      value: deferred.join('\n').slice(0, 1024),
    });
  fields.push(
    {
      name: 'Whole bot',
      value: `${status.activeRuns.length} run${status.activeRuns.length === 1 ? '' : 's'} in progress · ${status.deferredRuns.length} waiting for the lock · ${waiting} call${waiting === 1 ? '' : 's'} queued for the rate budget · ${client.guilds.cache.size} servers`,
    },
    { name: 'Rate budget', value: budgets.join('\n').slice(0, 1024) || 'none' },
  );
  if (status.redis.configured) {
    const since = status.redis.since !== null ? ` since ${ago(status.redis.since)}` : '';
    const value =
      status.redis.reachable === false
        ? `🔴 unreachable${since}${status.redis.lastError ? ` — ${status.redis.lastError.slice(0, 200)}` : ''}; new runs wait for it (see above)`
        : status.redis.reachable
          ? `🟢 reachable${since}`
          : 'not checked yet';
    fields.push({ name: 'Redis (several processes)', value });
  }
  fields.push({ name: 'Last errors here', value: errors.length > 0 ? errors.join('\n').slice(0, 1024) : 'none' });

  const memory = process.memoryUsage().rss / 1_048_576;
  return {
    title: 'giftbot status',
    color: status.redis.reachable === false ? COLORS.warning : COLORS.info,
    fields,
    footer: {
      text: `instance ${status.instanceId} · up ${formatUptime(process.uptime())} · gateway ping ${Math.max(0, Math.round(client.ws.ping))} ms · ${memory.toFixed(0)} MB`,
    },
  };
}

const BUDGET_MODE: Record<'shared' | 'fallback' | 'local', string> = {
  shared: 'shared by every process',
  fallback: "this process's share (Redis unreachable)",
  local: 'this process',
};

function formatUptime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
