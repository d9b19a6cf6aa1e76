import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { runHealthChecks, type HealthCheck } from './healthChecks.ts';
import type { Metrics } from './metrics.ts';

export interface OpsServerOptions {
  port: number;
  /** 127.0.0.1 by default; 0.0.0.0 in a container so Prometheus on another host can scrape it. */
  host?: string;
  log: Logger;
  checks: readonly HealthCheck[];
  metrics?: Metrics;
  /** Bound for each health check. Default 2 s. */
  checkTimeoutMs?: number;
}

export interface OpsServer {
  /** 'http://host:port' */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** GET /healthz (200 or 503 with reasons, as JSON) and GET /metrics (Prometheus text). Nothing else. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { log, metrics } = options;
  const host = options.host ?? '127.0.0.1';
  let lastHealthy: boolean | null = null;

  async function healthz(res: ServerResponse): Promise<void> {
    const report = await runHealthChecks(options.checks, options.checkTimeoutMs);
    if (report.healthy !== lastHealthy) {
      lastHealthy = report.healthy;
      const fields = {
        event: EVENTS.healthChanged,
        component: 'healthz',
        healthy: report.healthy,
        checks: report.checks,
        reasons: report.reasons,
      };
      if (report.healthy) log.info(fields, 'healthy');
      else log.warn(fields, `unhealthy: ${report.reasons.join('; ')}`);
    }
    send(
      res,
      report.healthy ? 200 : 503,
      'application/json; charset=utf-8',
      JSON.stringify({ status: report.healthy ? 'ok' : 'unhealthy', ...report }),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    if (path === '/healthz') return healthz(res);
    if (path === '/metrics' && metrics) return send(res, 200, metrics.contentType, await metrics.render());
    send(res, 404, 'text/plain', 'not found: try /healthz or /metrics\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ event: EVENTS.healthChanged, component: 'ops-server', err: error }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
  // A probe that connects and says nothing must not hold a socket open forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot listen on ${host}:${options.port} for /healthz and /metrics (METRICS_PORT): ${error.code ?? error.message}`,
        ),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
