import { existsSync } from 'node:fs';
import { loadConfigOrExit, loggerFor, toolLoggerFor } from './bootstrap.ts';
import { runDemo } from './dev/demo/runDemo.ts';
import { EVENTS } from './log/events.ts';
import { installGracefulShutdown } from './ops/gracefulShutdown.ts';
import { describeRedisDown, describeStartupError } from './ops/startupError.ts';

const config = loadConfigOrExit(process.env, { bot: true });

if (!config.discord) {
  process.stdout.write(
    'giftbot: no DISCORD_TOKEN is configured, so this is the offline demo against a local game-API simulator.\n' +
      '         Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (see .env.example) to run the bot.\n\n',
  );
  process.exitCode = await runDemo({ log: toolLoggerFor(config) });
} else {
  const log = loggerFor(config);
  const created = !existsSync(config.databasePath);
  log.info(
    { event: EVENTS.storeDatabase, path: config.databasePath, created },
    created
      ? `no database at ${config.databasePath} yet: creating a new, empty one`
      : `database ${config.databasePath}`,
  );
  const { startRuntime } = await import('./runtime.ts');
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime(config, log);
  } catch (error) {
    // Logged where it happened; the operator reads one line saying what to change (database, token, intents, network).
    process.stderr.write(`giftbot: cannot start: ${describeStartupError(error, 'Discord')}\n`);
    process.exit(1);
  }
  // Redis refused is not fatal (a local lock and a share of the budget until it answers), but say so where it is seen.
  if (config.redisUrl) {
    const redis = (await runtime.bot.app.status()).redis;
    if (redis.reachable !== true)
      process.stderr.write(`giftbot: warning: ${describeRedisDown(config.redisUrl, redis.lastError)}\n`);
  }
  // SIGTERM/SIGINT: stop taking work, let calls in flight finish and be recorded (runs end "interrupted" and resume
  // on the next start), release locks, close Discord, Redis and the store, flush the logs; a second signal exits now.
  installGracefulShutdown({ log, timeoutMs: config.ops.shutdownTimeoutMs, steps: runtime.stopSteps });
}
