/** Operations settings: the /healthz and /metrics port, the watchdog's thresholds, the shutdown deadline. */
export interface OpsConfig {
  /** Port for /healthz and /metrics; null: no HTTP server; 0: any free port. */
  metricsPort: number | null;
  /** Address the port listens on: 127.0.0.1 by default, 0.0.0.0 in a container. */
  metricsHost: string;
  /** The watchdog reports a run holding its lock longer than this. */
  stuckRunAfterMs: number;
  /** The watchdog reports a run with no member result for this long. */
  stalledRunAfterMs: number;
  /** SIGTERM/SIGINT: how long in-flight calls get to finish and be recorded before the process exits anyway. */
  shutdownTimeoutMs: number;
}

type ReadValue = (key: string) => string | undefined;
type ReadInteger = (key: string, fallback: number, min: number, max: number) => number;

export function readOpsConfig(value: ReadValue, integer: ReadInteger, problems: string[]): OpsConfig {
  // 0: any free port (the address is logged); for tests and ad-hoc runs.
  const port = value('METRICS_PORT') === undefined ? null : integer('METRICS_PORT', 0, 0, 65_535);
  const metricsHost = value('METRICS_HOST') ?? '127.0.0.1';
  if (/[\s/]/.test(metricsHost))
    problems.push(`METRICS_HOST must be an address like 127.0.0.1 or 0.0.0.0, got "${metricsHost}"`);
  return {
    metricsPort: port,
    metricsHost,
    stuckRunAfterMs: integer('STUCK_RUN_AFTER_MS', 20 * 60_000, 1_000, 24 * 3_600_000),
    stalledRunAfterMs: integer('STALLED_RUN_AFTER_MS', 5 * 60_000, 1_000, 24 * 3_600_000),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 8_000, 100, 600_000),
  };
}
