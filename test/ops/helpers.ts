import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = new URL('../../src/cli/bin.ts', import.meta.url).pathname;
export const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/**
 * Starts a giftbot process (CLI or bot) whose JSON log lines (stderr for the CLI, stdout for the bot) are appended to
 * `logFile`, as an operator's log collector would keep them.
 */
export function spawnLogged(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  { logTo = 'stderr', cwd = ROOT }: { logTo?: 'stdout' | 'stderr'; cwd?: string } = {},
): { child: ChildProcess; done: Promise<Finished> } {
  const fd = openSync(logFile, 'a');
  const stdio: ['ignore', 'pipe' | number, 'pipe' | number] =
    logTo === 'stderr' ? ['ignore', 'pipe', fd] : ['ignore', fd, 'pipe'];
  const child = spawn(NODE, args, { cwd, env: { ...process.env, LOG_FORMAT: 'json', ...env }, stdio });
  closeSync(fd);
  let stdout = '';
  (logTo === 'stderr' ? child.stdout : child.stderr)?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const done = new Promise<Finished>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, done };
}

export async function runLogged(args: string[], env: Record<string, string>, logFile: string): Promise<Finished> {
  return spawnLogged(args, env, logFile).done;
}

export interface LogsCheckResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `giftbot logs check` as an operator would; `input` goes to its standard input. */
export async function logsCheck(args: string[], input?: string): Promise<LogsCheckResult> {
  const child = spawn(NODE, [CLI, 'logs', 'check', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

export function readLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Every JSON line of a log file, parsed (non-JSON lines are left out). */
export function jsonLines(file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readLines(file)) {
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* not a log line */
    }
  }
  return out;
}

/** vi.waitFor options for these tests: processes start and stop on a shared, slow machine. */
export const WAIT = { timeout: 30_000, interval: 25 };

/** GET over HTTP with a bound, as a probe or a scraper would. */
export async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}
