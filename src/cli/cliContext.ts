import type { Core } from '../core.ts';

/** What every CLI command receives: the wired core and where to print. */
export interface CliContext {
  app: Core;
  /** Results: standard output. */
  out: (line: string) => void;
  /** Refusals and diagnostics: standard error (the CLI); tests that call a command directly may leave it out. */
  err?: (line: string) => void;
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;
