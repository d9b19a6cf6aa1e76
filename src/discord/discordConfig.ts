/** Discord settings beyond the credentials (read by config.ts with its helpers, so every problem is listed at once). */
export interface DiscordSettings {
  /**
   * Where start-up registers the slash commands when their definitions changed: `guild` (every server the bot is in,
   * instant), `global` (one registration for all servers), or `off` (only `npm run deploy-commands`).
   */
  commandScope: CommandScope;
  /** Shortest gap between two edits of a live progress message (Discord rate-limits edits). */
  progressIntervalMs: number;
  /** Largest CSV a `/member import` downloads. */
  importMaxBytes: number;
  /** Whole-request limit for downloading an import attachment. */
  importTimeoutMs: number;
}

export const COMMAND_SCOPES = ['guild', 'global', 'off'] as const;
export type CommandScope = (typeof COMMAND_SCOPES)[number];

type Integer = (key: string, fallback: number, min: number, max: number) => number;

export function readDiscordSettings(
  value: (key: string) => string | undefined,
  integer: Integer,
  problems: string[],
): DiscordSettings {
  const scope = value('DISCORD_COMMAND_SCOPE') ?? 'guild';
  if (!(COMMAND_SCOPES as readonly string[]).includes(scope)) {
    problems.push(`DISCORD_COMMAND_SCOPE must be one of ${COMMAND_SCOPES.join(', ')}, got "${scope}"`);
  }
  return {
    commandScope: (COMMAND_SCOPES as readonly string[]).includes(scope) ? (scope as CommandScope) : 'guild',
    progressIntervalMs: integer('DISCORD_PROGRESS_INTERVAL_MS', 3_000, 50, 600_000),
    importMaxBytes: integer('DISCORD_IMPORT_MAX_BYTES', 1_048_576, 1_024, 26_214_400),
    importTimeoutMs: integer('DISCORD_IMPORT_TIMEOUT_MS', 15_000, 100, 300_000),
  };
}
