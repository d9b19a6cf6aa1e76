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
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw UserError.fromCatalogue('upload.noAddress');
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
    throw UserError.fromCatalogue('upload.downloadFailed');
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw UserError.fromCatalogue('upload.downloadStatus', { status: response.statusCode });
  }
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes) {
    response.body.destroy();
    throw UserError.fromCatalogue('upload.tooLarge', {
      size: formatBytes(declared),
      limit: formatBytes(limits.maxBytes),
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > limits.maxBytes) {
        response.body.destroy();
        throw UserError.fromCatalogue('upload.tooLargeOver', { limit: formatBytes(limits.maxBytes) });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw UserError.fromCatalogue('upload.brokeOff');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw UserError.fromCatalogue('upload.notUtf8');
  }
}

function formatBytes(n: number): string {
  return n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
