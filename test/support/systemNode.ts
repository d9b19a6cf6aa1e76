import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** PATH without any node_modules/.bin folder: what a shell, cron or systemd sees outside npm scripts. */
export function pathWithoutNodeModules(path = process.env.PATH ?? ''): string {
  return path
    .split(delimiter)
    .filter((dir) => dir && !dir.includes('node_modules'))
    .join(delimiter);
}

export interface SystemNode {
  path: string;
  version: string;
}

/**
 * The machine's own `node` (SYSTEM_NODE, or the first on PATH outside node_modules), not the project's Node 24: the
 * launcher must work when that is all a user has. Null when the machine has no other node.
 */
export function systemNode(projectNode: string): SystemNode | null {
  const candidates = process.env.SYSTEM_NODE
    ? [process.env.SYSTEM_NODE]
    : pathWithoutNodeModules()
        .split(delimiter)
        .map((dir) => join(dir, 'node'));
  const own = realpathSync(projectNode);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) === own) continue;
    } catch {
      continue;
    }
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { path: candidate, version: probe.stdout.trim() };
  }
  return null;
}
