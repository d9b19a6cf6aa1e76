import type { Core } from '../runtime.ts';

/** What every CLI command receives: the wired core and where to print. */
export interface CliContext {
  app: Core;
  out: (line: string) => void;
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;
