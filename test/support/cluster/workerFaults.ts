import net from 'node:net';

/**
 * Worker-only instrumentation for `npm run chaos` (never loaded by giftbot itself):
 * - WORKER_LOCAL_ADDRESS: every TCP connection this process opens to the game's port leaves from that loopback
 *   address (127.0.0.x), so the simulator's call record (its `ip`) says which process made each call. undici opens
 *   its sockets through `net.connect`, which is wrapped here.
 * - a clock offset added to Date.now (the clock-step fault), and a busy-wait that blocks the event loop.
 */
export function bindEgress(localAddress: string | undefined, port: string | undefined): void {
  if (!localAddress || !port) return;
  const original = net.connect;
  const wrapped = ((...args: unknown[]) => {
    const first = args[0];
    if (first && typeof first === 'object' && String((first as net.TcpNetConnectOpts).port) === port) {
      args[0] = { ...(first as net.TcpNetConnectOpts), localAddress };
    }
    return (original as (...a: unknown[]) => net.Socket)(...args);
  }) as typeof net.connect;
  net.connect = wrapped;
  net.createConnection = wrapped;
}

let offsetMs = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + offsetMs;

/** Steps this process's wall clock by `ms` (Redis keeps its own time: lock TTLs are not affected). */
export function stepClock(ms: number): void {
  offsetMs += ms;
}

/** Blocks the event loop for `ms`: no timer, no socket, no lock renewal runs meanwhile. */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}
