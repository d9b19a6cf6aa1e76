import { constants } from 'node:os';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';

/** One part of the shutdown, in order (stop intake, let runs end and record, release locks, close connections). */
export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

export interface GracefulShutdownOptions {
  log: Logger;
  /** From the first signal to a forced exit (SHUTDOWN_TIMEOUT_MS). */
  timeoutMs: number;
  steps: readonly ShutdownStep[];
  /** Default: process.exit. */
  exit?: (code: number) => void;
  /** Default: SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** The same signal again within this many ms is the first one arriving twice (default 1000). */
  repeatWindowMs?: number;
}

export interface GracefulShutdown {
  /** What a signal does; also callable directly. Resolves with the exit code once it has exited. */
  trigger(signal: NodeJS.Signals): Promise<number>;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** The same signal again within this time is the same request arriving by a second path, not a second request. */
const REPEAT_WINDOW_MS = 1_000;

/**
 * SIGTERM/SIGINT: run the steps in order and exit 0; exit 1 if a step failed or the deadline passed first (members
 * claimed but not recorded are checked again on the next start, never lost). A second signal exits at once (the same
 * signal within a second is taken as the first one arriving twice). Logs are
 * flushed before every exit.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping: Promise<number> | null = null;
  let exited = false;
  let current = '';
  let first: { signal: NodeJS.Signals; at: number } | null = null;

  async function finish(code: number): Promise<number> {
    await flush(log);
    if (!exited) {
      exited = true;
      exit(code);
    }
    return code;
  }

  async function shutdown(signal: NodeJS.Signals): Promise<number> {
    const started = performance.now();
    log.info(
      { event: EVENTS.appStopping, signal, timeoutMs: options.timeoutMs },
      'signal received: no new work; calls in flight finish and are recorded, then giftbot stops',
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
      timer.unref();
    });
    const work = (async () => {
      let failed = false;
      for (const step of options.steps) {
        current = step.name;
        try {
          await step.run();
        } catch (error) {
          failed = true;
          log.error(
            { event: EVENTS.appStopping, step: step.name, err: error },
            `shutdown step "${step.name}" failed; carrying on with the rest`,
          );
        }
      }
      return failed ? ('failed' as const) : ('done' as const);
    })();
    const result = await Promise.race([work, deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      log.error(
        { event: EVENTS.shutdownTimeout, timeoutMs: options.timeoutMs, step: current },
        `shutdown took longer than ${options.timeoutMs} ms (at "${current}"): exiting now; unfinished members are checked again on the next start`,
      );
      return finish(1);
    }
    log.info({ event: EVENTS.appStopped, durationMs: Math.round(performance.now() - started) }, 'giftbot stopped');
    return finish(result === 'done' ? 0 : 1);
  }

  function trigger(signal: NodeJS.Signals): Promise<number> {
    // One Ctrl-C under `npm start` arrives twice: from the terminal and forwarded by npm. Only a later one forces.
    if (
      stopping &&
      first?.signal === signal &&
      performance.now() - first.at < (options.repeatWindowMs ?? REPEAT_WINDOW_MS)
    )
      return stopping;
    if (stopping) {
      log.warn(
        { event: EVENTS.shutdownForced, signal },
        'second signal: exiting now; unfinished members are checked again on the next start',
      );
      return finish(128 + (constants.signals[signal] ?? 1));
    }
    first = { signal, at: performance.now() };
    stopping = shutdown(signal);
    return stopping;
  }

  const handlers = signals.map((signal) => {
    const handler = () => void trigger(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return { trigger, dispose: () => handlers.forEach((off) => off()) };
}

/** Waits (briefly) until pino has handed every buffered line to its destination. */
function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    timer.unref();
    try {
      log.flush((/* error: nothing more to do */) => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
