import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away redis-server for tests: its own free port on 127.0.0.1, its own temp dir, no persistence. Never the
 * system Redis on 6379.
 */
export interface TestRedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGTERM (after SIGCONT if paused), wait for exit, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit (the port stays reserved for `restart()`). */
  kill(): Promise<void>;
  /** Kill if running, then start again on the same port with an empty data set; resolves when it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers (a hung server). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  readonly running: boolean;
}

export interface StartRedisServerOptions {
  binary?: string;
  /** Extra `redis-server` arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // If the test process dies without afterAll, do not leave redis-servers behind.
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket; true when the server answers +PONG within `timeoutMs`. */
export async function pingPort(port: number, timeoutMs = 500): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffer = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG'));
    });
  });
}

/** The `process_id` a server on `port` reports (INFO server), or undefined when nothing answers in time. */
export async function serverPid(port: number, timeoutMs = 500): Promise<number | undefined> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffer = '';
    const done = (pid: number | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('error', () => done(undefined));
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const match = /process_id:(\d+)/.exec(buffer);
      if (match) done(Number(match[1]));
      else if (buffer.startsWith('-')) done(undefined);
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<TestRedisServer> {
  installExitHook();
  const binary = options.binary ?? '/usr/bin/redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  let stderr = '';
  let paused = false;
  let stopped = false;

  async function spawnOn(p: number): Promise<boolean> {
    const proc = spawn(
      binary,
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--protected-mode',
        'no',
        '--loglevel',
        'warning',
        '--logfile',
        '',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    proc.stdout?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = proc;
    paused = false;
    const until = Date.now() + startTimeoutMs;
    while (Date.now() < until) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      // Check it is *our* process answering: the port could have been taken by someone else in the meantime.
      const pid = await serverPid(p, 300);
      if (pid !== undefined && pid === proc.pid) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    proc.kill('SIGKILL');
    await waitForExit(proc);
    throw new Error(`redis-server did not answer PING on port ${p} within ${startTimeoutMs} ms: ${stderr}`);
  }

  // A free port can be taken between probing and binding; try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    if (await spawnOn(port)) break;
    if (attempt >= 4) throw new Error(`redis-server failed to start: ${stderr}`);
  }

  async function kill(): Promise<void> {
    const proc = child;
    if (!proc) return;
    proc.kill('SIGKILL');
    await waitForExit(proc);
    child = undefined;
    paused = false;
  }

  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get running() {
      return child !== undefined;
    },
    kill,
    async stop() {
      if (stopped) return;
      stopped = true;
      const proc = child;
      if (proc) {
        if (paused) proc.kill('SIGCONT');
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await waitForExit(proc);
        clearTimeout(timer);
        child = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('server stopped');
      await kill();
      for (let attempt = 0; attempt < 20; attempt++) {
        if (await spawnOn(port)) return;
        await new Promise((r) => setTimeout(r, 100)); // the port may linger briefly
      }
      throw new Error(`redis-server could not restart on port ${port}: ${stderr}`);
    },
    pause() {
      if (child && !paused) {
        child.kill('SIGSTOP');
        paused = true;
      }
    },
    resume() {
      if (child && paused) {
        child.kill('SIGCONT');
        paused = false;
      }
    },
  };
}
