import { request } from 'undici';
import { UserError } from './userError.ts';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * Downloads an attachment a member uploaded, as UTF-8 text, within a size and time limit: a huge or slow file must
 * not hold the bot. Every failure is a UserError the member can act on.
 */
export async function fetchAttachmentText(url: string, limits: FetchLimits): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UserError('That attachment has no downloadable address.');
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(parsed, {
      method: 'GET',
      signal,
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
    });
  } catch {
    throw new UserError(
      'I could not download the file from Discord (it timed out or the connection failed). Try again.',
    );
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw new UserError(
      `I could not download the file from Discord (HTTP ${response.statusCode}). Try uploading it again.`,
    );
  }
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes) {
    response.body.destroy();
    throw new UserError(
      `The file is too large (${formatBytes(declared)}); the limit is ${formatBytes(limits.maxBytes)}.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limits.maxBytes) {
        response.body.destroy();
        throw new UserError(`The file is too large (over ${formatBytes(limits.maxBytes)}).`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('The download from Discord broke off (timed out or the connection failed). Try again.');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UserError('The file is not UTF-8 text. Save it as CSV (UTF-8) and upload it again.');
  }
}

function formatBytes(n: number): string {
  return n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
