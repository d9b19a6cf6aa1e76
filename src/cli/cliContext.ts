import type { App } from '../app.ts';

/** What every CLI command receives: the wired app and where to print. */
export interface CliContext {
  app: App;
  out: (line: string) => void;
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;
