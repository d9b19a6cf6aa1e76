import { Routes, type REST } from 'discord.js';
import { localizeCommands } from '../../i18n/localizeCommands.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import { definitionsHash, scopeKey, type CommandHashFile } from './commandHashFile.ts';
import { COMMAND_DEFINITIONS } from './definitions/index.ts';

export interface RegisterTarget {
  rest: REST;
  applicationId: string;
  /** null: global registration. */
  guildId: string | null;
}

/**
 * What is sent to Discord: the English definitions with every name and description's translations from the
 * catalogue. Its hash decides re-registration, so a changed translation is registered too.
 */
export function registrationPayload(definitions: readonly unknown[] = COMMAND_DEFINITIONS): unknown[] {
  return localizeCommands(definitions);
}

/** Replaces the scope's commands with ours in one bulk overwrite (idempotent: ids stay, nothing is duplicated). */
export async function registerCommands(
  target: RegisterTarget,
  definitions: readonly unknown[] = COMMAND_DEFINITIONS,
): Promise<number> {
  const route =
    target.guildId === null
      ? Routes.applicationCommands(target.applicationId)
      : Routes.applicationGuildCommands(target.applicationId, target.guildId);
  const registered = (await target.rest.put(route, { body: registrationPayload(definitions) })) as unknown[];
  return registered.length;
}

/**
 * Registers where the recorded hash differs from the current definitions; returns whether it registered. A failure
 * is logged and reported as false: the bot keeps running with whatever Discord has.
 */
export async function registerIfChanged(
  target: RegisterTarget,
  hashes: CommandHashFile,
  log: Logger,
): Promise<boolean> {
  const hash = definitionsHash(registrationPayload());
  const key = scopeKey(target.applicationId, target.guildId);
  if ((await hashes.get(key)) === hash) return false;
  const scope = target.guildId === null ? 'global' : 'guild';
  try {
    const count = await registerCommands(target);
    await hashes.set(key, hash);
    log.info(
      { event: EVENTS.discordCommandsRegistered, scope, guildId: target.guildId, commands: count },
      'slash commands registered',
    );
    return true;
  } catch (error) {
    log.error(
      { event: EVENTS.discordCommandsRegistered, scope, guildId: target.guildId, err: error, ok: false },
      'slash command registration failed',
    );
    return false;
  }
}
