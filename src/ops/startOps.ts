import type { Config } from '../config/config.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { ActiveRun } from '../locks/activeRuns.ts';
import type { RunLock } from '../locks/runLock.ts';
import type { Store } from '../store/types.ts';
import { healthChecks } from './healthChecks.ts';
import type { Metrics } from './metrics.ts';
import { startOpsServer, type OpsServer } from './opsServer.ts';
import { startWatchdog, type Watchdog } from './watchdog.ts';

export interface OpsDeps {
  config: Pick<Config, 'ops' | 'redisUrl'>;
  log: Logger;
  store: Pick<Store, 'checkWritable'>;
  activeRuns: { list(): readonly ActiveRun[] };
  runLock: Pick<RunLock, 'ping'>;
  /** The app's metrics (created when METRICS_PORT is set). */
  metrics: Metrics | null;
  /** For the bot: whether the Discord gateway session is ready. */
  discordReady?: () => boolean;
}

export interface Ops {
  server: OpsServer | null;
  watchdog: Watchdog;
  stop(): Promise<void>;
}

/** The watchdog always; /healthz and /metrics when METRICS_PORT is set. For long-running processes (the bot). */
export async function startOps(deps: OpsDeps): Promise<Ops> {
  const { config, log } = deps;
  const watchdog = startWatchdog({
    activeRuns: deps.activeRuns,
    log,
    heldAfterMs: config.ops.stuckRunAfterMs,
    idleAfterMs: config.ops.stalledRunAfterMs,
  });
  let server: OpsServer | null = null;
  if (config.ops.metricsPort !== null) {
    try {
      server = await startOpsServer({
        port: config.ops.metricsPort,
        host: config.ops.metricsHost,
        log,
        checks: healthChecks({
          store: deps.store,
          // Only when Redis is configured: without it the in-process lock is all there is, and always answers.
          runLock: config.redisUrl ? deps.runLock : undefined,
          discordReady: deps.discordReady,
        }),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      });
    } catch (error) {
      watchdog.stop();
      throw error;
    }
    log.info(
      { event: EVENTS.opsServerListening, url: server.url, metrics: deps.metrics !== null },
      `serving ${server.url}/healthz and /metrics`,
    );
  }
  return {
    server,
    watchdog,
    async stop() {
      watchdog.stop();
      await server?.close();
    },
  };
}
