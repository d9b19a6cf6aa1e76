/**
 * What /healthz checks. Each check answers within a bound (a hung Redis or disk must make /healthz say "unhealthy",
 * not hang the probe until Docker's HEALTHCHECK times out).
 */
export interface HealthCheck {
  name: string;
  /** true when healthy; false or a thrown error otherwise. */
  check(): Promise<boolean>;
  /** The reason shown when the check fails. */
  failure: string;
}

export interface HealthReport {
  healthy: boolean;
  checks: Record<string, 'ok' | 'failing'>;
  /** One plain sentence per failing check. */
  reasons: string[];
}

export interface HealthSources {
  store: { checkWritable(): Promise<boolean> };
  /** Present only when Redis is configured (REDIS_URL). */
  runLock?: { ping(): Promise<boolean> } | undefined;
  /** Present only when a Discord client is configured: whether its gateway session is ready. */
  discordReady?: (() => boolean) | undefined;
}

export function healthChecks(sources: HealthSources): HealthCheck[] {
  const checks: HealthCheck[] = [
    { name: 'store', check: () => sources.store.checkWritable(), failure: 'the database cannot be written' },
  ];
  const { runLock, discordReady } = sources;
  if (runLock)
    checks.push({
      name: 'redis',
      check: () => runLock.ping(),
      failure: 'Redis does not answer (REDIS_URL): automatic runs are deferred',
    });
  if (discordReady)
    checks.push({
      name: 'discord',
      check: async () => discordReady(),
      failure: 'the Discord gateway is not connected',
    });
  return checks;
}

export async function runHealthChecks(checks: readonly HealthCheck[], timeoutMs = 2_000): Promise<HealthReport> {
  const results = await Promise.all(checks.map(async (c) => ({ c, ok: await withTimeout(c.check(), timeoutMs) })));
  const report: HealthReport = { healthy: true, checks: {}, reasons: [] };
  for (const { c, ok } of results) {
    report.checks[c.name] = ok ? 'ok' : 'failing';
    if (!ok) {
      report.healthy = false;
      report.reasons.push(c.failure);
    }
  }
  return report;
}

async function withTimeout(check: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      check.then(
        (ok) => ok === true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
