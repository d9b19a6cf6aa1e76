import { Client, GatewayIntentBits, Options } from 'discord.js';

export interface DiscordClientSettings {
  /** Only for tests against a local fake Discord: `http://127.0.0.1:PORT/api`. */
  apiBase: string | null;
}

/**
 * The one place the discord.js client is configured. Intents: Guilds (servers, channels, roles, interactions),
 * GuildMessages and MessageContent (the codes-channel watcher reads posted codes). No mention is ever parsed from
 * what the bot sends — member names and codes come from users and must never ping anyone.
 */
export function createDiscordClient(settings: DiscordClientSettings): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    allowedMentions: { parse: [], repliedUser: false },
    ...(settings.apiBase ? { rest: { api: settings.apiBase } } : {}),
    // The bot reads new messages as they arrive and never looks back far: a small message cache keeps memory flat.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25, ReactionManager: 0 }),
  });
}
