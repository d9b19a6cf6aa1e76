import type { Client } from 'discord.js';
import type { App } from '../app.ts';
import type { Discovery } from '../codes/createDiscovery.ts';
import type { Logger } from '../log/logger.ts';
import type { DiscordSettings } from './discordConfig.ts';
import type { RecentErrors } from './recentErrors.ts';
import type { LiveRuns } from './runs/liveRuns.ts';
import type { RunReporter } from './runs/runReporter.ts';

/** What the commands use of code discovery: the one intake for new codes, and catch-up for new members. */
export type DiscoveryHooks = Pick<Discovery, 'intake' | 'catchUpMembers'>;

/** What every command and button handler gets: explicit wiring, no globals. */
export interface BotContext {
  app: App;
  client: Client;
  log: Logger;
  settings: DiscordSettings & {
    /** When a run shown in an interaction moves to the results channel (the token dies at 15 minutes). */
    interactionHandoffMs: number;
  };
  liveRuns: LiveRuns;
  reporter: RunReporter;
  recentErrors: RecentErrors;
  discovery: DiscoveryHooks;
}
