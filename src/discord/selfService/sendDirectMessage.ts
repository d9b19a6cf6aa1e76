import { DiscordAPIError, type Client } from 'discord.js';
import type { DmResult } from '../../selfService/notifyRedeemed.ts';

/** Discord's "Cannot send messages to this user": DMs closed, or no server shared with the bot. */
const CANNOT_MESSAGE_USER = 50007;

/** A direct message to a user; `closed` when Discord says the user takes none from the bot. */
export async function sendDirectMessage(client: Client, userId: string, content: string): Promise<DmResult> {
  try {
    await client.users.send(userId, { content, allowedMentions: { parse: [] } });
    return 'sent';
  } catch (error) {
    return error instanceof DiscordAPIError && error.code === CANNOT_MESSAGE_USER ? 'closed' : 'failed';
  }
}
