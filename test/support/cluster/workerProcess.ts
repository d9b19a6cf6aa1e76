import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { AppStatus } from '../../../src/status/appStatus.ts';
import type { TriggerCommand, WorkerCommand } from './worker.ts';

/** A giftbot log line as the worker wrote it (pino JSON). */
export interface WorkerLogLine {
  level: string;
  event?: string;
  msg?: string;
  time?: string;
  [key: string]: unknown;
}

export interface WorkerResult {
  id: string;
  index: number;
  /** Date.now() when the trigger was fired and when its summary came back. */
  sentAt: number;
  at: number;
  summary: {
    status: string;
    runId: number | null;
    fence: number | null;
    apiCalls: number;
    rateLimited: number;
    counts: Record<string, number>;
    message: string;
    durationMs: number;
  };
}

interface Message {
  type: string;
  id?: string;
  /** The parent's Date.now() when the line was read (a worker's own clock may be stepped). */
  receivedAt?: number;
  [key: string]: unknown;
}

const WORKER = resolve(import.meta.dirname, 'worker.ts');
const REPO_NODE = resolve(import.meta.dirname, '../../../node_modules/.bin/node');

/** Node 24 (type stripping): the project's own binary, whatever node runs the tests. */
export function nodeBinary(): string {
  return existsSync(REPO_NODE) ? REPO_NODE : process.execPath;
}

let commandSeq = 0;

/**
 * The parent's handle on one giftbot worker process (test/support/cluster/worker.ts): send triggers, read results,
 * status and log lines, and SIGKILL / SIGSTOP / SIGCONT it.
 */
export class WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logs: WorkerLogLine[] = [];
  /** stderr lines that were not JSON (a crash's stack trace, a Node warning). */
  readonly rawErrors: string[] = [];
  readonly messages: Message[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  private constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.child = spawn(nodeBinary(), ['--no-warnings', WORKER], {
      env: { PATH: process.env.PATH ?? '', INSTANCE_ID: name, LOG_FORMAT: 'json', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolveExit(this.exitInfo);
      });
    });
    // JSON lines on one stream, so a log line written before a protocol message is read before it: log lines carry a
    // pino `level`, protocol messages do not. Anything else (a stack trace on stderr) is kept raw.
    const collect = (stream: NodeJS.ReadableStream): void => {
      createInterface({ input: stream }).on('line', (line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if ('level' in parsed) this.logs.push(parsed as WorkerLogLine);
          else this.messages.push({ ...(parsed as Message), receivedAt: Date.now() });
        } catch {
          this.rawErrors.push(line);
        }
        this.notify();
      });
    };
    collect(this.child.stdout!);
    collect(this.child.stderr!);
    // A write to a killed worker's stdin must not crash the test process.
    this.child.stdin!.on('error', () => undefined);
  }

  static async start(name: string, env: Record<string, string>, timeoutMs = 30_000): Promise<WorkerProcess> {
    const worker = new WorkerProcess(name, env);
    const ready = await worker.waitForMessage((m) => m.type === 'ready' || m.type === 'fatal', timeoutMs);
    if (ready.type !== 'ready')
      throw new Error(`worker ${name} did not start: ${JSON.stringify(ready)} ${worker.rawErrors.join('\n')}`);
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exitInfo;
  }

  /** Log lines with this event name. */
  events(event: string): WorkerLogLine[] {
    return this.logs.filter((line) => line.event === event);
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }

  private send(command: WorkerCommand): void {
    if (this.alive) this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Resolves with the first message (already received or future) matching `predicate`. */
  waitForMessage(predicate: (message: Message) => boolean, timeoutMs: number): Promise<Message> {
    return this.waitUntil(() => this.messages.find(predicate), timeoutMs, 'message');
  }

  /** Polls `probe` on every line this worker writes (and on exit) until it returns a value. */
  waitUntil<T>(probe: () => T | undefined | false, timeoutMs: number, what = 'condition'): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value !== undefined && value !== false) {
          finish();
          resolvePromise(value);
          return true;
        }
        if (!this.alive && !this.stopped) {
          finish();
          reject(
            new Error(
              `worker ${this.name} exited ${JSON.stringify(this.exitInfo)} while waiting for ${what}:\n${this.rawErrors.slice(-30).join('\n')}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `worker ${this.name}: timed out after ${timeoutMs} ms waiting for ${what}${this.alive ? '' : ` (exited ${JSON.stringify(this.exitInfo)})`}`,
          ),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  /** Fires `count` triggers at once in the worker; resolves with every summary. */
  async trigger(request: Omit<TriggerCommand, 'op' | 'id'>, timeoutMs = 60_000): Promise<WorkerResult[]> {
    const id = this.fire(request);
    return await this.results(id, request.count ?? 1, timeoutMs);
  }

  /** Fires without waiting; returns the command id for `results()`. */
  fire(request: Omit<TriggerCommand, 'op' | 'id'>): string {
    const id = `${this.name}-t${++commandSeq}`;
    this.send({ op: 'trigger', id, ...request });
    return id;
  }

  async results(id: string, count: number, timeoutMs = 60_000): Promise<WorkerResult[]> {
    const mine = (): WorkerResult[] =>
      this.messages.filter((m) => m.type === 'result' && m.id === id) as unknown as WorkerResult[];
    return await this.waitUntil(
      () => (mine().length >= count ? mine() : undefined),
      timeoutMs,
      `${count} result(s) of ${id}`,
    );
  }

  async status(timeoutMs = 10_000): Promise<AppStatus> {
    const id = `${this.name}-s${++commandSeq}`;
    this.send({ op: 'status', id });
    const message = await this.waitForMessage((m) => m.type === 'status' && m.id === id, timeoutMs);
    return message.status as AppStatus;
  }

  /** Busy-waits the worker's event loop for `ms` (no renewal, no socket I/O meanwhile). */
  blockLoop(ms: number): void {
    this.send({ op: 'block', ms });
  }

  /** Steps the worker's Date.now by `ms`. */
  stepClock(ms: number): void {
    this.send({ op: 'clock', ms });
  }

  pause(): void {
    this.child.kill('SIGSTOP');
    this.stopped = true;
  }

  resume(): void {
    this.child.kill('SIGCONT');
    this.stopped = false;
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A clean shutdown (app.close()); SIGKILL if it does not exit in time. */
  async close(timeoutMs = 15_000): Promise<void> {
    if (!this.alive) return;
    if (this.stopped) this.resume();
    this.send({ op: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
