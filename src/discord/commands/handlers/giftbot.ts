import { MessageFlags, type APIEmbed } from 'discord.js';
import { GAMES, gameInfo, type Game } from '../../../game/games.ts';
import { formatNumber, t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { RunRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { triggerText } from '../../embeds/progressEmbed.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';

const TROUBLE: ReadonlySet<RunRecord['outcome']> = new Set(['failed', 'config-error', 'aborted', 'interrupted']);

/** `/giftbot status` — what the bot is doing: this server's runs in detail, the rest of the bot only as counts. */
export const handleGiftbot: CommandHandler = async (interaction, _guild, ctx) => {
  if (interaction.options.getSubcommand() !== 'status') throw UserError.fromCatalogue('giftbot.unknownAction');
  const games = new Set((await ctx.app.store.alliances.list({ guildId: interaction.guildId })).map((a) => a.game));
  await interaction.reply({
    embeds: [await statusEmbed(interaction.guildId, games, ctx, replyLanguage(interaction))],
    flags: MessageFlags.Ephemeral,
  });
};

async function statusEmbed(
  guildId: string,
  games: ReadonlySet<Game>,
  ctx: BotContext,
  lang: Language,
): Promise<APIEmbed> {
  const { app, client } = ctx;
  const status = await app.status();
  const ago = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

  // This server's runs in detail; other servers' only as counts (their codes and ids are none of this server's business).
  const mine = status.activeRuns.filter((run) => run.guildId === guildId);
  const runs = mine.map(
    (run) =>
      t(lang, 'giftbot.run', {
        code: run.code,
        trigger: triggerText(run.trigger, lang),
        processed: run.processed,
        total: run.total,
        since: ago(run.startedAt),
      }) + (run.runId !== null ? t(lang, 'giftbot.runId', { runId: run.runId }) : ''),
  );
  const deferredHere = status.deferredRuns.filter((run) => run.guildId === guildId);
  // The reason a run waits is the lock service's own words (English, as logged).
  const deferred = deferredHere.map(
    (run) =>
      t(lang, 'giftbot.deferred', {
        code: run.code,
        since: ago(run.deferredAt),
        attempts: run.attempts,
        next: ago(run.nextAttemptAt),
      }) + (run.reason ? ` · ${run.reason.slice(0, 80)}` : ''),
  );

  const gamesOn = (host: string) => GAMES.filter((g) => new URL(app.config.apiBases[g]).host === host);
  const waiting = status.budgets.reduce((n, budget) => n + budget.waiting, 0);
  const budgets = status.budgets.map((budget) => {
    const names =
      gamesOn(budget.host)
        .map((g) => (games.has(g) ? `**${gameInfo(g).name}**` : gameInfo(g).name))
        .join(', ') || budget.host;
    const why = t(
      lang,
      budget.pauseReason === 'retry-after' ? 'giftbot.pauseWhy.retryAfter' : 'giftbot.pauseWhy.window',
    );
    const paused =
      budget.pausedUntil > Date.now()
        ? t(lang, 'giftbot.paused', {
            why,
            until: `<t:${Math.ceil(budget.pausedUntil / 1000)}:T>`,
            ago: ago(budget.pausedUntil),
          })
        : '';
    return t(lang, 'giftbot.budget', {
      names,
      available: budget.available,
      limit: budget.limit,
      seconds: Math.round(budget.windowMs / 1000),
      egress: budget.egress === 'default' ? t(lang, 'giftbot.defaultAddress') : budget.egress,
      mode: t(lang, `giftbot.mode.${budget.mode}`),
      paused,
      rateLimited: budget.rateLimited,
    });
  });

  // Recent errors are the logged English texts: an operator's record, shown as they were written.
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

  const none = t(lang, 'giftbot.none');
  const fields: NonNullable<APIEmbed['fields']> = [
    {
      name: t(lang, 'giftbot.runsHere', { n: mine.length }),
      value: runs.length > 0 ? runs.join('\n').slice(0, 1024) : none,
    },
  ];
  if (deferred.length > 0)
    fields.push({
      name: t(lang, 'giftbot.waitingHere', { n: deferred.length }),
      value: deferred.join('\n').slice(0, 1024),
    });
  fields.push(
    {
      name: t(lang, 'giftbot.wholeBot'),
      value: [
        t(lang, 'giftbot.wholeRuns', { count: status.activeRuns.length }),
        t(lang, 'giftbot.wholeDeferred', { n: status.deferredRuns.length }),
        t(lang, 'giftbot.wholeQueued', { count: waiting }),
        t(lang, 'giftbot.wholeServers', { n: client.guilds.cache.size }),
      ].join(' · '),
    },
    { name: t(lang, 'giftbot.rateBudget'), value: budgets.join('\n').slice(0, 1024) || none },
  );
  if (status.redis.configured) {
    const since = status.redis.since !== null ? t(lang, 'giftbot.redisSince', { ago: ago(status.redis.since) }) : '';
    const value =
      status.redis.reachable === false
        ? t(lang, 'giftbot.redisDown', {
            since,
            error: status.redis.lastError ? ` — ${status.redis.lastError.slice(0, 200)}` : '',
          })
        : status.redis.reachable
          ? t(lang, 'giftbot.redisUp', { since })
          : t(lang, 'giftbot.redisUnchecked');
    fields.push({ name: t(lang, 'giftbot.redis'), value });
  }
  fields.push({
    name: t(lang, 'giftbot.lastErrors'),
    value: errors.length > 0 ? errors.join('\n').slice(0, 1024) : none,
  });

  const memory = process.memoryUsage().rss / 1_048_576;
  return {
    title: t(lang, 'giftbot.title'),
    color: status.redis.reachable === false ? COLORS.warning : COLORS.info,
    fields,
    footer: {
      text: t(lang, 'giftbot.footer', {
        instance: status.instanceId,
        uptime: formatUptime(process.uptime(), lang),
        ping: Math.max(0, Math.round(client.ws.ping)),
        memory: formatNumber(lang, memory),
      }),
    },
  };
}

function formatUptime(seconds: number, lang: Language): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? t(lang, 'giftbot.uptimeHours', { h, m }) : t(lang, 'giftbot.uptimeMinutes', { m });
}
