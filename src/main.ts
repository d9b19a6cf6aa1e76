import { loadConfigOrExit, loggerFor } from './bootstrap.ts';
import { runDemo } from './dev/demo/runDemo.ts';
import { installGracefulShutdown } from './ops/gracefulShutdown.ts';

const config = loadConfigOrExit();

if (!config.discord) {
  process.stdout.write('giftbot: no DISCORD_TOKEN is configured, so this is the offline demo against a local game-API simulator.\n'
    + '         Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example) to run the bot.\n\n');
  process.exitCode = await runDemo({ log: loggerFor(config, { level: process.env.LOG_LEVEL ?? 'warn' }) });
} else {
  const log = loggerFor(config);
  const { startRuntime } = await import('./runtime.ts');
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime(config, log);
  } catch {
    // Logged where it happened (a bad token, Discord unreachable, /healthz not served).
    process.exit(1);
  }
  // SIGTERM/SIGINT: stop taking work, let calls in flight finish and be recorded (runs end "interrupted" and resume
  // on the next start), release locks, close Discord, Redis and the store, flush the logs; a second signal exits now.
  installGracefulShutdown({ log, timeoutMs: config.ops.shutdownTimeoutMs, steps: runtime.stopSteps });
}
