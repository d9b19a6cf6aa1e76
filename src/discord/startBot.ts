import { dirname, join } from 'node:path';
import { Events, type Client, type Interaction } from 'discord.js';
import { createApp, type App } from '../app.ts';
import type { Config } from '../config/config.ts';
import { createDiscovery, type Discovery } from '../codes/createDiscovery.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { BotContext } from './botContext.ts';
import { openCommandHashFile } from './commands/commandHashFile.ts';
import { registerIfChanged } from './commands/registerCommands.ts';
import { createDiscordClient } from './createDiscordClient.ts';
import { createInteractionRouter } from './interactionRouter.ts';
import { createRecentErrors } from './recentErrors.ts';
import { startShardedDiscovery } from '../sharding/shardedDiscovery.ts';
import { createLiveRuns } from './runs/liveRuns.ts';
import { createRunReporter } from './runs/runReporter.ts';

/** Discord kills an interaction's token after 15 minutes; progress moves to the results channel a little before. */
export const INTERACTION_HANDOFF_MS = 13 * 60_000;

export interface StartBotOptions {
  config: Config;
  log: Logger;
  /** Tests shorten this to see a run move to the results channel. */
  interactionHandoffMs?: number;
  /** Where the registered-commands hash is kept; default: beside the database. */
  commandHashPath?: string;
}

export interface Bot {
  client: Client;
  app: App;
  ctx: BotContext;
  /** From startBot() to the gateway's ready and the command check, in ms. */
  readyMs: number;
  /** Stops taking commands, lets runs end (their summaries are posted), closes the app, then the client. */
  stop(): Promise<void>;
}

/**
 * Starts giftbot on Discord: the app, the client, the command router, the results-channel reporter for automatic
 * runs, command registration when the definitions changed, and the background tasks.
 */
export async function startBot(options: StartBotOptions): Promise<Bot> {
  const { config, log } = options;
  const discord = config.discord;
  if (!discord) throw new Error('startBot needs DISCORD_TOKEN and DISCORD_APPLICATION_ID');
  const started = performance.now();
  log.info({ event: EVENTS.appStarting, instanceId: config.instanceId, commandScope: discord.commandScope, apiBase: discord.apiBase ?? 'discord.com' }, 'giftbot starting');

  const app = createApp({ config, log });
  const client = createDiscordClient(discord);
  const liveRuns = createLiveRuns();
  const reporter = createRunReporter({ client, store: app.store, log, liveRuns, progressIntervalMs: discord.progressIntervalMs });
  // Every run this process starts for a new code, a restart or new members (whoever starts it: code discovery,
  // resume, catch-up) is shown in the alliance's results channel. The engine itself knows nothing of Discord.
  app.engine = reporter.wrap(app.engine);
  const discovery = createDiscovery(app);

  const ctx: BotContext = {
    app,
    client,
    log,
    settings: { ...discord, interactionHandoffMs: options.interactionHandoffMs ?? INTERACTION_HANDOFF_MS },
    liveRuns,
    reporter,
    recentErrors: createRecentErrors(),
    discovery,
  };

  const route = createInteractionRouter(ctx);
  const handling = new Set<Promise<void>>();
  const onInteraction = (interaction: Interaction) => {
    const done = route(interaction).finally(() => handling.delete(done));
    handling.add(done);
  };
  client.on(Events.InteractionCreate, onInteraction);
  client.on(Events.Error, (error) => log.error({ event: EVENTS.discordClientError, err: error }, 'Discord client error'));
  client.on(Events.ShardError, (error, shardId) => log.warn({ event: EVENTS.discordClientError, shardId, err: error }, 'Discord gateway connection error; discord.js reconnects'));

  const hashes = openCommandHashFile(options.commandHashPath ?? join(dirname(config.databasePath), 'discord-commands.json'));
  const target = (guildId: string | null) => ({ rest: client.rest, applicationId: discord.applicationId, guildId });
  client.on(Events.GuildCreate, (guild) => {
    log.info({ event: EVENTS.discordGuildJoined, guildId: guild.id, guildName: guild.name }, 'joined a server');
    if (discord.commandScope === 'guild') void registerIfChanged(target(guild.id), hashes, log);
  });

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(discord.token);
    await ready;
  } catch (error) {
    log.fatal({ event: EVENTS.discordLoginFailed, err: error }, 'could not log in to Discord (check DISCORD_TOKEN)');
    await client.destroy();
    await app.close();
    throw error;
  }
  log.info({ event: EVENTS.discordReady, user: client.user?.tag, guilds: client.guilds.cache.size }, 'connected to Discord');

  if (discord.commandScope === 'global') await registerIfChanged(target(null), hashes, log);
  if (discord.commandScope === 'guild') await Promise.all(client.guilds.cache.map((guild) => registerIfChanged(target(guild.id), hashes, log)));

  // Waits briefly for Redis (never fails on it) and starts retrying runs deferred while it was unreachable.
  await app.start();
  const background = await startBackgroundTasks({ app, client, discovery });
  const readyMs = performance.now() - started;
  log.info({ event: EVENTS.appReady, readyMs: Math.round(readyMs), guilds: client.guilds.cache.size, rssMb: Math.round(process.memoryUsage().rss / 1_048_576) }, 'giftbot ready');

  let stopping: Promise<void> | null = null;
  return {
    client,
    app,
    ctx,
    readyMs,
    stop() {
      stopping ??= (async () => {
        client.off(Events.InteractionCreate, onInteraction);
        await background.stop();
        // Closing the app aborts the runs; their summaries (status "stopped") still go out before the client closes.
        await app.close();
        await Promise.allSettled(handling);
        await reporter.idle();
        await client.destroy();
      })();
      return stopping;
    },
  };
}

interface BackgroundDeps {
  app: App;
  client: Client;
  discovery: Discovery;
}

/**
 * Work beside the commands: code discovery (feed polling, the codes-channel watcher) and finishing what a stop or
 * crash cut short (fan-outs and runs left `running`; their runs report in the results channels).
 */
async function startBackgroundTasks({ app, client, discovery }: BackgroundDeps): Promise<{ stop(): Promise<void> }> {
  discovery.watchChannels(client);
  // Feeds are polled by one process for the whole bot; with shards, each follows the codes found for its own guilds.
  const sharded = startShardedDiscovery(app, discovery);
  // Returns once everything is started; resumeOnStartup logs what it took up (code.resumed).
  await discovery.resumeOnStartup();
  // State searches a stop cut short continue in the background, behind redemptions (discovery priority).
  void resumeStateSearches(app);
  return {
    stop: async () => {
      await sharded.stop();
      await discovery.stop();
    },
  };
}

async function resumeStateSearches(app: App): Promise<void> {
  let guildId: string | undefined;
  try {
    for (guildId of await app.stateDiscovery.pendingGuilds()) {
      if (app.shutdownSignal.aborted) return;
      await app.stateDiscovery.resolve(guildId);
    }
  } catch (error) {
    app.log.error({ event: EVENTS.stateDiscoveryFailed, guildId, err: error }, 'resuming interrupted state searches failed');
  }
}
