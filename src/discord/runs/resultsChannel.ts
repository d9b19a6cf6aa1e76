import type { Client, SendableChannels } from 'discord.js';
import type { Store } from '../../store/types.ts';

/** The alliance's results channel, if it is set, still exists, belongs to that server and the bot can post there. */
export async function resultsChannel(client: Client, store: Store, guildId: string): Promise<SendableChannels | null> {
  const guild = await store.guilds.get(guildId);
  if (!guild?.resultChannelId) return null;
  return sendableChannelOf(client, guildId, guild.resultChannelId);
}

export async function sendableChannelOf(
  client: Client,
  guildId: string,
  channelId: string,
): Promise<SendableChannels | null> {
  const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId).catch(() => null));
  if (!channel || !('guildId' in channel) || channel.guildId !== guildId || !channel.isSendable()) return null;
  return channel;
}
