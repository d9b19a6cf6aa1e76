import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Which command definitions were last registered where, as a hash per (application, scope), kept in a small JSON
 * file beside the database: start-up registers only when the definitions changed, so a restart costs no Discord
 * call (registration is rate-limited, 200 a day per guild).
 */
export interface CommandHashFile {
  get(scopeKey: string): Promise<string | null>;
  set(scopeKey: string, hash: string): Promise<void>;
}

export function definitionsHash(definitions: unknown): string {
  return createHash('sha256').update(JSON.stringify(definitions)).digest('hex');
}

export function scopeKey(applicationId: string, guildId: string | null): string {
  return guildId === null ? `${applicationId}/global` : `${applicationId}/guild/${guildId}`;
}

export function openCommandHashFile(path: string): CommandHashFile {
  // Writes are chained so two registrations finishing together never lose each other's entry.
  let chain: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<Record<string, string>> => {
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as { registered?: Record<string, string> };
      return parsed.registered ?? {};
    } catch {
      return {};
    }
  };
  return {
    async get(key) {
      await chain;
      return (await load())[key] ?? null;
    },
    set(key, hash) {
      const write = chain.then(async () => {
        const registered = { ...(await load()), [key]: hash };
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify({ registered }, null, 2)}\n`);
        await rename(tmp, path);
      });
      chain = write.catch(() => undefined);
      return write;
    },
  };
}
