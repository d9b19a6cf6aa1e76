import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../src/log/events.ts';
import { NODE, ROOT } from './helpers.ts';

const run = promisify(execFile);
const SECRET = 'sekret-token-value-123';

/** A real process writing through createLogger to its standard output, as the bot does. */
async function logFromProcess(settings: string): Promise<string> {
  const script = `
    import { createLogger } from './src/log/logger.ts';
    const log = createLogger({ level: 'info', secrets: ['${SECRET}'], ${settings} });
    log.info({ event: 'app.starting', note: 'token is ${SECRET}' }, 'hello ${SECRET}');
    log.flush?.();
  `;
  const { stdout } = await run(NODE, ['--input-type=module', '-e', script], { cwd: ROOT });
  return stdout;
}

describe('log output', () => {
  it('pretty in development: readable lines, secrets scrubbed', async () => {
    const out = await logFromProcess('pretty: true');
    expect(out).toContain('hello [redacted]');
    expect(out.trim().startsWith('{')).toBe(false);
    expect(out).not.toContain(SECRET);
  });

  it('asked for pretty where pino-pretty is not installed (a production install): JSON lines, and one line saying so', async () => {
    const out = await logFromProcess("pretty: true, prettyModule: 'pino-pretty-not-installed'");
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      event: EVENTS.logFormatFallback,
      module: 'pino-pretty-not-installed',
    });
    expect(lines[1]).toMatchObject({
      level: 'info',
      event: 'app.starting',
      msg: 'hello [redacted]',
      note: 'token is [redacted]',
    });
    expect(out).not.toContain(SECRET);
  });
});
