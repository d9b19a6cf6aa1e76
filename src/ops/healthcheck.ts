/**
 * The container's HEALTHCHECK: asks this process's own /healthz (METRICS_PORT) and exits 0 when it says healthy, 1
 * otherwise, printing the reasons (Docker shows them in `docker inspect`). Standalone: no config, no database.
 */
const port = process.env.METRICS_PORT?.trim();
if (!port) {
  process.stdout.write('METRICS_PORT is not set: no /healthz to ask; reporting healthy\n');
  process.exit(0);
}
const configured = process.env.METRICS_HOST?.trim() || '127.0.0.1';
// A wildcard address is for listening; ask over loopback.
const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  const body = await response.text();
  process.stdout.write(`${response.status} ${body}\n`);
  process.exit(response.status === 200 ? 0 : 1);
} catch (error) {
  process.stdout.write(`${url} did not answer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
