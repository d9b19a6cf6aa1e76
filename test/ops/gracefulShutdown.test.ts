import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { installGracefulShutdown } from '../../src/ops/gracefulShutdown.ts';
import { captureLogs } from '../support/coreHarness.ts';

function setUp(steps: { name: string; run(): Promise<void> | void }[], timeoutMs = 5_000, repeatWindowMs?: number) {
  const logs = captureLogs('info');
  const exits: number[] = [];
  const shutdown = installGracefulShutdown({
    log: logs.log,
    timeoutMs,
    steps,
    exit: (code) => exits.push(code),
    signals: [],
    ...(repeatWindowMs !== undefined ? { repeatWindowMs } : {}),
  });
  return { logs, exits, shutdown };
}

const never = () => new Promise<void>(() => {});

afterEach(() => {
  vi.useRealTimers();
});

describe('graceful shutdown', () => {
  it('runs every step in order, then exits 0 with app.stopping and app.stopped logged', async () => {
    const order: string[] = [];
    const { logs, exits, shutdown } = setUp([
      { name: 'stop polling', run: () => void order.push('stop polling') },
      { name: 'finish runs', run: async () => void order.push('finish runs') },
      { name: 'close', run: () => void order.push('close') },
    ]);
    expect(await shutdown.trigger('SIGTERM')).toBe(0);
    expect(order).toEqual(['stop polling', 'finish runs', 'close']);
    expect(exits).toEqual([0]);
    expect(logs.lines.map((l) => l.event)).toEqual([EVENTS.appStopping, EVENTS.appStopped]);
    expect(logs.events(EVENTS.appStopping)[0]).toMatchObject({ signal: 'SIGTERM', timeoutMs: 5_000 });
  });

  it('a failing step does not stop the rest; the exit status is then 1', async () => {
    const order: string[] = [];
    const { logs, exits, shutdown } = setUp([
      { name: 'finish runs', run: () => Promise.reject(new Error('store is gone')) },
      { name: 'close', run: () => void order.push('close') },
    ]);
    expect(await shutdown.trigger('SIGINT')).toBe(1);
    expect(order).toEqual(['close']);
    expect(exits).toEqual([1]);
    expect(logs.lines.find((l) => l.level === 'error')).toMatchObject({
      event: EVENTS.appStopping,
      step: 'finish runs',
    });
  });

  it('a step that outlives the deadline: exits 1 naming the step', async () => {
    // The deadline is a timer: fake time reaches it at once, whatever the load on the machine.
    vi.useFakeTimers();
    const { logs, exits, shutdown } = setUp([{ name: 'finish runs', run: never }], 200);
    const stopped = shutdown.trigger('SIGTERM');
    await vi.advanceTimersByTimeAsync(200);
    expect(await stopped).toBe(1);
    expect(exits).toEqual([1]);
    expect(logs.events(EVENTS.shutdownTimeout)).toEqual([
      expect.objectContaining({ level: 'error', step: 'finish runs', timeoutMs: 200 }),
    ]);
    expect(logs.events(EVENTS.appStopped)).toEqual([]);
  });

  it('a second signal exits at once', async () => {
    const { logs, exits, shutdown } = setUp([{ name: 'finish runs', run: never }], 60_000, 0);
    void shutdown.trigger('SIGTERM');
    expect(await shutdown.trigger('SIGTERM')).toBe(143);
    expect(exits).toEqual([143]);
    expect(logs.events(EVENTS.shutdownForced)).toEqual([expect.objectContaining({ level: 'warn', signal: 'SIGTERM' })]);
  });

  it('one Ctrl-C arriving twice (the terminal and npm) is one request; another signal still forces', async () => {
    let finish = (): void => undefined;
    const { logs, exits, shutdown } = setUp(
      [{ name: 'finish runs', run: () => new Promise<void>((resolve) => (finish = resolve)) }],
      60_000,
    );
    const first = shutdown.trigger('SIGINT');
    const repeat = shutdown.trigger('SIGINT');
    expect(logs.events(EVENTS.shutdownForced)).toEqual([]);
    finish();
    expect(await first).toBe(0);
    expect(await repeat).toBe(0);
    expect(exits).toEqual([0]);

    const other = setUp([{ name: 'finish runs', run: never }], 60_000);
    void other.shutdown.trigger('SIGINT');
    expect(await other.shutdown.trigger('SIGTERM')).toBe(143);
  });
});
