import { createHash } from 'node:crypto';

/**
 * The API's request signature: MD5 (lowercase hex) of every other field sorted by key, written `key=value` joined by
 * `&`, values raw (not URL-encoded), with the game's salt appended directly.
 */
export function signParams(params: Readonly<Record<string, string | number>>, salt: string): string {
  const base = Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
  return createHash('md5')
    .update(base + salt)
    .digest('hex');
}
