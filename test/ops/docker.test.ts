import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { healthChecks } from '../../src/ops/healthChecks.ts';
import { startOpsServer, type OpsServer } from '../../src/ops/opsServer.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { NODE, ROOT } from './helpers.ts';

const run = promisify(execFile);
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

/** Dockerfile instructions with continuation lines joined: [keyword, rest]. */
function instructions(): [string, string][] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return [keyword!.toUpperCase(), rest.join(' ')];
    });
}

/** The ENV pairs of the runtime stage, as the container sees them. */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [keyword, rest] of instructions()) {
    if (keyword !== 'ENV') continue;
    for (const match of rest.matchAll(/(\w+)=(\S+)/g)) env[match[1]!] = match[2]!;
  }
  return env;
}

function ignoredByDockerignore(path: string): boolean {
  let ignored = false;
  for (const pattern of dockerignore) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    const matches = p.includes('*')
      ? new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(basename(path))
      : path === p || path.startsWith(`${p}/`);
    if (matches) ignored = !negated;
  }
  return ignored;
}

let server: OpsServer | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the Docker image, checked without Docker', () => {
  it('builds on the Node 24 base in two stages, runs as a non-root user behind tini, with a volume and a health check', () => {
    const all = instructions();
    const froms = all.filter(([k]) => k === 'FROM').map(([, rest]) => rest);
    expect(froms).toHaveLength(2);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:24(-slim|-alpine)/);
    const runtime = all.slice(all.findIndex(([k, rest]) => k === 'FROM' && rest === froms[1]));
    const user = runtime.find(([k]) => k === 'USER')?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime.find(([k]) => k === 'VOLUME')?.[1]).toContain('/data');
    expect(imageEnv().DATABASE_PATH).toMatch(/^\/data\//);
    const entrypoint = JSON.parse(runtime.find(([k]) => k === 'ENTRYPOINT')![1]) as string[];
    expect(entrypoint[0]).toMatch(/tini$/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\btini\b|apk add[^\n]*\btini\b/);
    const healthcheck = runtime.find(([k]) => k === 'HEALTHCHECK')![1];
    const probe = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(probe.slice(0, 1)).toEqual(['node']);
    expect(existsSync(join(ROOT, probe[1]!))).toBe(true);
  });

  it('every file the Dockerfile copies from the build context exists and is not excluded by .dockerignore', () => {
    const copies = instructions().filter(([k, rest]) => k === 'COPY' && !rest.includes('--from'));
    expect(copies.length).toBeGreaterThanOrEqual(3);
    for (const [, rest] of copies) {
      const parts = rest.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(join(ROOT, source)), `COPY ${source}`).toBe(true);
        expect(ignoredByDockerignore(source), `${source} is excluded by .dockerignore`).toBe(false);
      }
    }
    for (const secret of ['.env', 'data', 'node_modules', '.git', 'data/giftbot.sqlite'])
      expect(ignoredByDockerignore(secret), secret).toBe(true);
    expect(ignoredByDockerignore('.env.example')).toBe(false);
  });

  it('the production install has every package the code imports (dev dependencies are left out of the image)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(
            /^\s*(?:import|export)\s[^;]*?from\s+'([^'.][^']*)'/gm,
          )) {
            const spec = match[1]!;
            if (spec.startsWith('node:') || builtins.has(spec)) continue;
            const pkgName = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
            if (!(pkgName in pkg.dependencies)) missing.add(`${path.slice(ROOT.length)}: ${pkgName}`);
          }
        }
      }
    };
    walk(join(ROOT, 'src'));
    walk(join(ROOT, 'scripts'));
    expect([...missing]).toEqual([]);
  });

  it("the CMD's entry file starts outside Docker with the image's settings, and a bad configuration exits 1 listing every problem", async () => {
    const cmd = JSON.parse(instructions().find(([k]) => k === 'CMD')![1]) as string[];
    expect(cmd[0]).toBe('node');
    // V8 flags first, then the entry file: the same as `npm start` runs.
    const entry = cmd.slice(1).find((arg) => !arg.startsWith('-'))!;
    const flags = cmd.slice(1, cmd.indexOf(entry));
    // `npm start` runs the launcher, whose `start` uses the same flags and entry file.
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe(
      'exec node bin/giftbot.mjs start',
    );
    const launcher = readFileSync(join(ROOT, 'bin/giftbot.mjs'), 'utf8');
    expect(JSON.parse(/const BOT_FLAGS = (\[.*?\]);/.exec(launcher)![1]!.replace(/'/g, '"'))).toEqual(flags);
    expect(/start: \{ file: '([^']+)'/.exec(launcher)![1]).toBe(entry);
    expect(existsSync(join(ROOT, entry))).toBe(true);
    const cwd = mkdtempSync(join(tmpdir(), 'giftbot-image-'));
    dirs.push(cwd);
    const env = {
      PATH: process.env.PATH ?? '',
      ...imageEnv(),
      DATABASE_PATH: join(cwd, 'giftbot.sqlite'),
      RATE_LIMIT_PER_MINUTE: 'lots',
      METRICS_PORT: '70000',
    };
    const result = await run(NODE, [...flags, join(ROOT, entry)], { cwd, env }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    // The image runs with NODE_ENV=production: no token is a problem too, never the demo.
    expect(result.stderr).toContain('the configuration has 3 problem(s)');
    expect(result.stderr).toContain('DISCORD_TOKEN is not set');
    expect(result.stderr).toContain('RATE_LIMIT_PER_MINUTE must be a whole number');
    expect(result.stderr).toContain('METRICS_PORT must be between 0 and 65535');
  });

  it('the HEALTHCHECK command exits 0 on a healthy /healthz, 1 on 503 and 1 when nothing answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'giftbot-hc-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'giftbot.sqlite'));
    let discordReady = true;
    server = await startOpsServer({
      port: 0,
      log: silentLogger(),
      checks: healthChecks({ store, discordReady: () => discordReady }),
    });
    const probe = (port: number) =>
      run(NODE, [join(ROOT, 'src/ops/healthcheck.ts')], {
        env: { PATH: process.env.PATH ?? '', METRICS_PORT: String(port), METRICS_HOST: '0.0.0.0' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    expect(await probe(server.port)).toMatchObject({ code: 0 });
    discordReady = false;
    const unhealthy = await probe(server.port);
    expect(unhealthy.code).toBe(1);
    expect(unhealthy.stdout).toContain('the Discord gateway is not connected');
    const port = server.port;
    await server.close();
    server = undefined;
    expect((await probe(port)).code).toBe(1);
    await store.close();
  });

  it('has a `giftbot` command for the CLI, the importer and deploy-commands, with what they need copied in', async () => {
    const copies = instructions()
      .filter(([k, rest]) => k === 'COPY' && !rest.includes('--from'))
      .map(([, rest]) => rest.split(/\s+/).filter((p) => !p.startsWith('--')));
    const command = copies.find((parts) => parts.at(-1) === '/usr/local/bin/giftbot');
    expect(command, 'COPY … /usr/local/bin/giftbot').toBeDefined();
    expect(dockerfile).toMatch(/COPY --chmod=755 \S+ \/usr\/local\/bin\/giftbot/);
    const copied = copies.map((parts) => parts[0]!);
    expect(copied).toEqual(expect.arrayContaining(['src', 'config', 'scripts/deployCommands.ts']));
    // The deploy script reaches only into what is copied (src/), so it runs in the image as it does here.
    for (const match of readFileSync(join(ROOT, 'scripts/deployCommands.ts'), 'utf8').matchAll(/from '(\.[^']+)'/g))
      expect(match[1]).toMatch(/^\.\.\/src\//);
    // The command itself, run here with the repository standing in for /app.
    const giftbot = (...args: string[]) =>
      run('sh', [join(ROOT, command![0]!), ...args], {
        env: { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, GIFTBOT_HOME: ROOT },
      });
    const help = (await giftbot('--help')).stdout;
    expect(help).toMatch(/giftbot members import <guildId> <file\.csv>/);
    expect(help).toMatch(/giftbot import whiteout-bot/);
    expect((await giftbot('deploy-commands', '--help')).stdout).toMatch(/--guild <id>/);
  });

  it("docker-compose caps the size of every service's logs", () => {
    expect(compose).toMatch(
      /x-logging: &logging\n\s+driver: json-file\n\s+options:\n\s+max-size: "\d+m"\n\s+max-file: "\d+"/,
    );
    const services = compose.slice(compose.indexOf('\nservices:'), compose.indexOf('\nvolumes:'));
    const names = [...services.matchAll(/^ {2}(\w[\w-]*):$/gm)].map((m) => m[1]);
    expect(names).toEqual(['redis', 'giftbot']);
    expect(services.match(/^ {4}logging: \*logging$/gm)).toHaveLength(names.length);
  });

  it('docker-compose runs Redis health-checked and persisted, and gives the bot time to shut down gracefully', () => {
    expect(compose).toMatch(/redis:\n\s+image: redis:\d/);
    expect(compose).toMatch(/--appendonly", "yes"/);
    expect(compose).toMatch(/healthcheck:\n\s+test: \["CMD", "redis-cli", "ping"\]/);
    expect(compose).toMatch(/condition: service_healthy/);
    expect(compose).toMatch(/redis-data:\/data/);
    expect(compose).toMatch(/giftbot-data:\/data/);
    expect(compose).toContain('REDIS_URL: redis://redis:6379');
    const shutdownMs = Number(/SHUTDOWN_TIMEOUT_MS: "(\d+)"/.exec(compose)?.[1]);
    const graceS = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
    expect(shutdownMs).toBeGreaterThan(0);
    expect(shutdownMs).toBeLessThan(graceS * 1000);
    // The image's own default fits Docker's default 10 s stop timeout.
    expect(Number(imageEnv().SHUTDOWN_TIMEOUT_MS ?? 8_000)).toBeLessThan(10_000);
  });
});
