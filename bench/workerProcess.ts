import { fork, type ChildProcess } from 'node:child_process';
import type { WorkerMessage, WorkerSetup } from './protocol.ts';

const WORKER = new URL('./worker.ts', import.meta.url);

/** A bot process with its IPC channel; messages are queued so none is missed between awaits. */
export class WorkerProcess {
  readonly child: ChildProcess;
  private readonly inbox: WorkerMessage[] = [];
  private waiting: ((message: WorkerMessage) => void) | undefined;
  private exited: string | undefined;
  readonly logPath: string;

  constructor(logPath: string) {
    this.logPath = logPath;
    this.child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message) => this.deliver(message as WorkerMessage));
    this.child.on('exit', (code, signal) => {
      this.exited = `bot process exited (${signal ?? code}) before answering; its log: ${logPath}`;
      this.deliver({ type: 'failed', error: this.exited });
    });
    // A send to a process already gone must fail this row with a reason, not crash the bench.
    this.child.on('error', (error) =>
      this.deliver({ type: 'failed', error: `bot process: ${error.message}; its log: ${logPath}` }),
    );
  }

  private deliver(message: WorkerMessage): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else {
      this.inbox.push(message);
    }
  }

  next(timeoutMs: number): Promise<WorkerMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(
          new Error(`bot process did not answer within ${Math.round(timeoutMs / 1000)} s; its log: ${this.logPath}`),
        );
      }, timeoutMs);
      this.waiting = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  send(message: WorkerSetup | { type: 'go' }): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message, (error) => {
      if (error)
        this.deliver({
          type: 'failed',
          error: `bot process did not take a message: ${error.message}; its log: ${this.logPath}`,
        });
    });
  }

  /** Ends the process whatever state it is in (it may have closed its channel, or be gone already); never throws. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    try {
      // The worker may have disconnected (after its last message) without having exited yet.
      if (this.child.connected) this.child.disconnect();
    } catch {
      // already disconnected: the exit (or the kill timer) ends it
    }
    await exited;
    clearTimeout(timer);
  }
}
