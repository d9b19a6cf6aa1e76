import type { Game } from '../../game/games.ts';
import { seededRandom } from './prng.ts';
import type { FaultKind, FaultSpec } from './types.ts';

const KINDS: readonly FaultKind[] = [
  'timeout-retry',
  'http-502',
  'http-503',
  'http-504',
  'garbage',
  'html',
  'empty',
  'slow',
  'hang',
  'reset',
  'http-500',
  'http-404',
  'params-error',
  'huge-body',
];

interface ActiveFault {
  spec: FaultSpec;
  /** Hits left; Infinity for an uncounted probabilistic fault. */
  left: number;
  chance: number;
  random: () => number;
}

/** Injected trouble, consumed in injection order: the first fault that matches a call and fires takes it. */
export class FaultInjector {
  private faults: ActiveFault[] = [];

  inject(spec: FaultSpec): void {
    if (!KINDS.includes(spec.kind)) throw new RangeError(`unknown fault kind: ${String(spec.kind)}`);
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new RangeError(`fault probability must be within 0..1, got ${spec.probability}`);
    }
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count >= 0)) {
      throw new RangeError(`fault count must be a non-negative integer, got ${spec.count}`);
    }
    if (spec.sizeBytes !== undefined && !(Number.isInteger(spec.sizeBytes) && spec.sizeBytes >= 0)) {
      throw new RangeError(`fault sizeBytes must be a non-negative integer, got ${spec.sizeBytes}`);
    }
    const left = spec.count ?? (spec.probability === undefined ? 1 : Infinity);
    this.faults.push({ spec: { ...spec }, left, chance: spec.probability ?? 1, random: seededRandom(spec.seed ?? 1) });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault that hits this call, if any (and uses up one of its hits). */
  take(call: { game: Game; fid: string | undefined }): FaultSpec | undefined {
    for (const fault of this.faults) {
      if (fault.left <= 0) continue;
      if (fault.spec.game !== undefined && fault.spec.game !== call.game) continue;
      if (fault.spec.fid !== undefined && fault.spec.fid !== call.fid) continue;
      // Draw only for matching calls so a filtered fault's sequence does not depend on unrelated traffic.
      if (fault.chance < 1 && !(fault.random() < fault.chance)) continue;
      fault.left -= 1;
      this.faults = this.faults.filter((f) => f.left > 0);
      return fault.spec;
    }
    return undefined;
  }
}

const NGINX_TITLES: Record<number, string> = {
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

/** What nginx in front of a dead or slow upstream answers. */
export function nginxErrorPage(status: 502 | 503 | 504): string {
  const title = NGINX_TITLES[status] ?? `${status} Error`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** A 200 that claims to be JSON but is cut off mid-way, as when an upstream dies while streaming. */
export const GARBAGE_BODY = '{"code":0,"msg":"SUCC\u0000\u0013<<garbage>>';

/** A 200 HTML page instead of JSON, like a CDN challenge or maintenance page. */
export const HTML_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Just a moment...</title></head>\n' +
  '<body><h1>Checking your browser before accessing the site.</h1><p>This process is automatic.</p></body>\n</html>\n';

/** The default `huge-body` size: one of the four 300 MB answers from the attack. */
export const HUGE_BODY_BYTES = 300 * 1024 * 1024;
