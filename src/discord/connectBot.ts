import { Events, type Client, type Interaction } from 'discord.js';
import type { Discovery } from '../codes/createDiscovery.ts';
import { EVENTS } from '../log/events.ts';
import type { Core } from '../core.ts';
import { startShardedDiscovery } from '../sharding/shardedDiscovery.ts';
import type { BotContext } from './botContext.ts';
import { openCommandHashFile } from './commands/commandHashFile.ts';
import { registerIfChanged } from './commands/registerCommands.ts';
import { createInteractionRouter } from './interactionRouter.ts';
import { createRecentErrors } from './recentErrors.ts';
import type { LiveRuns } from './runs/liveRuns.ts';
import type { RunReporter } from './runs/runReporter.ts';

export interface Bot {
  client: Client;
  app: Core;
  ctx: BotContext;
  /** The results-channel reporter (one of the engine's listeners). */
  reporter: RunReporter;
  /** From startBot() to the gateway's ready and the command check, in ms. */
  readyMs: number;
  /** Stops taking commands, lets runs end (their summaries are posted), closes the app, then the client. */
  stop(): Promise<void>;
}

export interface ConnectBotDeps {
  core: Core;
  /** Built, not logged in yet. */
  client: Client;
  discovery: Discovery;
  liveRuns: LiveRuns;
  /** Already among the engine's listeners; waited for at shutdown so every summary is posted. */
  reporter: RunReporter;
  settings: BotContext['settings'];
  /** `/me`'s per-user limit (made in src/runtime.ts). */
  selfService: BotContext['selfService'];
  commandHashPath: string;
  /** performance.now() when start-up began, for readyMs. */
  started: number;
}

/**
 * Connects the wired bot to Discord: the command router, command registration when the definitions changed, login,
 * and the background tasks (code discovery, resuming what a stop cut short).
 */
export async function connectBot(deps: ConnectBotDeps): Promise<Bot> {
  const { core: app, client, discovery, reporter, settings } = deps;
  const { log } = app;
  const ctx: BotContext = {
    app,
    client,
    log,
    settings,
    liveRuns: deps.liveRuns,
    recentErrors: createRecentErrors(),
    discovery,
    selfService: deps.selfService,
  };

  const route = createInteractionRouter(ctx);
  const handling = new Set<Promise<void>>();
  const onInteraction = (interaction: Interaction) => {
    const done = route(interaction).finally(() => handling.delete(done));
    handling.add(done);
  };
  client.on(Events.InteractionCreate, onInteraction);
  client.on(Events.Error, (error) =>
    log.error({ event: EVENTS.discordClientError, err: error }, 'Discord client error'),
  );
  client.on(Events.ShardError, (error, shardId) =>
    log.warn(
      { event: EVENTS.discordClientError, shardId, err: error },
      'Discord gateway connection error; discord.js reconnects',
    ),
  );

  const hashes = openCommandHashFile(deps.commandHashPath);
  const target = (guildId: string | null) => ({ rest: client.rest, applicationId: settings.applicationId, guildId });
  client.on(Events.GuildCreate, (guild) => {
    log.info({ event: EVENTS.discordGuildJoined, guildId: guild.id, guildName: guild.name }, 'joined a server');
    app.engine.serverJoined(guild.id);
    if (settings.commandScope === 'guild') void registerIfChanged(target(guild.id), hashes, log);
  });

  // Removed from a server (an outage is `guildUnavailable`, not this): its automatic runs stop; its data is kept.
  client.on(Events.GuildDelete, (guild) => void serverLeft(app, guild.id, guild.name));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(settings.token);
    await ready;
  } catch (error) {
    log.fatal({ event: EVENTS.discordLoginFailed, err: error }, 'could not log in to Discord (check DISCORD_TOKEN)');
    await client.destroy();
    await app.close();
    throw error;
  }
  log.info(
    { event: EVENTS.discordReady, user: client.user?.tag, guilds: client.guilds.cache.size },
    'connected to Discord',
  );

  if (settings.commandScope === 'global') await registerIfChanged(target(null), hashes, log);
  if (settings.commandScope === 'guild')
    await Promise.all(client.guilds.cache.map((guild) => registerIfChanged(target(guild.id), hashes, log)));

  // Waits briefly for Redis (never fails on it) and starts retrying runs deferred while it was unreachable.
  await app.start();
  const background = await startBackgroundTasks(app, client, discovery);
  const readyMs = performance.now() - deps.started;
  log.info(
    {
      event: EVENTS.appReady,
      readyMs: Math.round(readyMs),
      guilds: client.guilds.cache.size,
      rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
    },
    'giftbot ready',
  );

  let stopping: Promise<void> | null = null;
  return {
    client,
    app,
    ctx,
    reporter,
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

/**
 * Work beside the commands: code discovery (feed polling, the codes-channel watcher) and finishing what a stop or
 * crash cut short (fan-outs and runs left `running`; their runs report in the results channels).
 */
async function startBackgroundTasks(
  app: Core,
  client: Client,
  discovery: Discovery,
): Promise<{ stop(): Promise<void> }> {
  discovery.watchChannels(client);
  // Feeds are polled by one process for the whole bot; with shards, each follows the codes found for its own guilds.
  const sharded = startShardedDiscovery({ config: app.config, log: app.log, store: app.store }, discovery);
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

async function resumeStateSearches(app: Core): Promise<void> {
  let guildId: string | undefined;
  try {
    for (guildId of await app.stateDiscovery.pendingGuilds()) {
      if (app.shutdownSignal.aborted) return;
      await app.stateDiscovery.resolve(guildId);
    }
  } catch (error) {
    app.log.error(
      { event: EVENTS.stateDiscoveryFailed, guildId, err: error },
      'resuming interrupted state searches failed',
    );
  }
}

/**
 * The bot was removed from a server (kicked, or the server deleted): its automatic runs stop at once (the engine
 * stops the running ones at their next member and refuses new ones in this process), and its alliances' auto-redeem
 * is turned off in the store — the switch fan-out and catch-up honour in every process and after a restart. Nothing
 * else changes: the data stays until an admin runs `giftbot guild remove`. Invited back: `/autoredeem on`.
 */
async function serverLeft(app: Core, guildId: string, guildName: string | null): Promise<void> {
  const stoppedRuns = app.engine.serverLeft(guildId);
  try {
    const alliances = await app.store.alliances.list({ guildId, autoRedeem: true });
    for (const alliance of alliances) await app.store.alliances.update(alliance.id, { autoRedeem: false });
    app.log.info(
      { event: EVENTS.discordGuildLeft, guildId, guildName, stoppedRuns, autoRedeemStopped: alliances.length },
      'removed from a server: its automatic runs stop; its data is kept until an admin removes it',
    );
  } catch (error) {
    app.log.error(
      { event: EVENTS.discordGuildLeft, guildId, guildName, stoppedRuns, err: error },
      'removed from a server: could not turn its auto-redeem off',
    );
  }
}
