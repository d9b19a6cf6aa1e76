#!/usr/bin/env node
// giftbot's launcher. Plain JavaScript on purpose: it must run on whatever `node` a machine has (Node >= 18, e.g. a
// distribution's Node 20), find the Node 24 that `npm ci` installs into node_modules (the `node` package, a production
// dependency), and run the requested TypeScript entry with it. Signals reach the bot and its exit code comes back.
//
//   giftbot start                 the bot (the offline demo when no DISCORD_TOKEN is set outside production)
//   giftbot demo                  the offline demo
//   giftbot simulator [options]   the standalone game-API simulator
//   giftbot deploy-commands [...] register the slash commands
//   giftbot healthcheck           probe /healthz (Docker HEALTHCHECK)
//   giftbot <command> ...         the command-line tool (giftbot --help)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(realpathSync(fileURLToPath(import.meta.url))));
/** The oldest Node that runs the sources as they are (type stripping without flags); package.json "engines". */
const MINIMUM = [24, 12];

// The same V8 flags as the Docker image: a smaller young generation, size-tuned compilation, one helper thread.
const BOT_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--v8-pool-size=1'];

const ENTRIES = {
  start: { file: 'src/main.ts', flags: BOT_FLAGS },
  demo: { file: 'src/dev/demo/demo.ts', flags: [] },
  simulator: { file: 'src/dev/simulator/run.ts', flags: [] },
  'deploy-commands': { file: 'scripts/deployCommands.ts', flags: [] },
  healthcheck: { file: 'src/ops/healthcheck.ts', flags: [] },
};

function versionOf(text) {
  const match = /^v?(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function recentEnough(version) {
  return version !== null && (version[0] > MINIMUM[0] || (version[0] === MINIMUM[0] && version[1] >= MINIMUM[1]));
}

/** This Node when it is recent enough; otherwise the project's own (node_modules), checked by running it once. */
function findNode() {
  if (recentEnough(versionOf(process.version))) return process.execPath;
  for (const candidate of [
    join(ROOT, 'node_modules', 'node', 'bin', 'node'),
    join(ROOT, 'node_modules', '.bin', 'node'),
  ]) {
    if (!existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (probe.status === 0 && recentEnough(versionOf(probe.stdout))) return candidate;
  }
  return null;
}

const [first, ...rest] = process.argv.slice(2);
const entry =
  first !== undefined && Object.hasOwn(ENTRIES, first) ? ENTRIES[first] : { file: 'src/cli/bin.ts', flags: [] };
const args = entry.file === 'src/cli/bin.ts' ? process.argv.slice(2) : rest;
const node = findNode();
if (node === null) {
  process.stderr.write(
    `giftbot: needs Node ${MINIMUM.join('.')} or newer; this is Node ${process.version} and ${join(ROOT, 'node_modules', 'node')} is missing.\n` +
      `         Run \`npm ci --omit=dev\` (or \`npm ci\`) in ${ROOT}: it installs Node 24 into node_modules.\n`,
  );
  process.exit(1);
}
const argv = [...entry.flags, join(ROOT, entry.file), ...args];

// Same Node: replace this process (same pid), so signals from npm, systemd or a terminal reach the bot directly.
if (node === process.execPath && typeof process.execve === 'function') {
  process.execve(node, [node, ...argv], process.env);
}

// An older Node: run the project's Node as a child in its own session, so a terminal's Ctrl-C reaches it once (through
// us) and not twice; forward every stop signal and hand back its exit status.
const child = spawn(node, argv, { stdio: 'inherit', detached: true });
let lastForwarded = { signal: '', at: 0 };
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) {
  process.on(signal, () => {
    // npm forwards a terminal's Ctrl-C to us although we received it already: one press, one signal to the bot.
    const now = Date.now();
    if (lastForwarded.signal === signal && now - lastForwarded.at < 1_000) return;
    lastForwarded = { signal, at: now };
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  process.stderr.write(`giftbot: cannot start ${node}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so whoever started us sees what happened to the bot.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
