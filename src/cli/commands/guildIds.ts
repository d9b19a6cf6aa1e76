/** A Discord id (snowflake): 17 to 20 digits. */
export const SNOWFLAKE = /^\d{17,20}$/;

/** What to say about a missing or malformed server id. */
export function snowflakeProblem(guildId: string | undefined): string {
  return `a Discord server id is required: 17 to 20 digits (Discord: User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID)${guildId ? `, got "${guildId}"` : ''}`;
}
