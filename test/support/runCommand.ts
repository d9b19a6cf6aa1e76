import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathWithoutNodeModules } from './systemNode.ts';

const run = promisify(execFile);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command as a user's shell would: PATH without node_modules/.bin, no npm_* variables, no NODE_ENV or
 * LOG_LEVEL from the test runner (pass them in `env` when a test wants them).
 */
export async function runCommand(
  file: string,
  args: string[],
  { cwd, env = {}, input }: { cwd: string; env?: Record<string, string>; input?: string },
): Promise<CommandResult> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('npm_') && key !== 'NODE_ENV' && key !== 'LOG_LEVEL' && key !== 'LOG_FORMAT',
    ),
  );
  try {
    const promise = run(file, args, {
      cwd,
      env: { ...clean, PATH: pathWithoutNodeModules(), ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) promise.child.stdin?.end(input);
    const { stdout, stderr } = await promise;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
