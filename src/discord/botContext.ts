import type { Client } from 'discord.js';
import type { Discovery } from '../codes/createDiscovery.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { Core } from '../core.ts';
import type { ProbeLimiter } from '../selfService/probeLimiter.ts';
import type { RecentErrors } from './recentErrors.ts';
import type { LiveRuns } from './runs/liveRuns.ts';

/** What the commands use of code discovery: the one intake for new codes, and catch-up for new members. */
export type DiscoveryHooks = Pick<Discovery, 'intake' | 'catchUpMembers'>;

/** What every command and button handler gets: explicit wiring, no globals. */
export interface BotContext {
  app: Core;
  client: Client;
  log: Logger;
  settings: NonNullable<Config['discord']> & {
    /** When a run shown in an interaction moves to the results channel (the token dies at 15 minutes). */
    interactionHandoffMs: number;
  };
  liveRuns: LiveRuns;
  recentErrors: RecentErrors;
  discovery: DiscoveryHooks;
  /** `/me`: the per-user limit on player checks (one per process). */
  selfService: { limiter: ProbeLimiter };
}
