// Discord-style error answers: { message, code } and 50035 Invalid Form Body with nested `errors`.

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function ok(body: unknown, status = 200): HttpResult {
  return { status, body };
}

export function noContent(): HttpResult {
  return { status: 204 };
}

export function apiError(status: number, code: number, message: string, errors?: FormErrors): HttpResult {
  return { status, body: errors ? { message, code, errors: errors.tree } : { message, code } };
}

export const notFound = (): HttpResult => apiError(404, 0, '404: Not Found');
export const unauthorized = (): HttpResult => apiError(401, 0, '401: Unauthorized');
export const unknownChannel = (): HttpResult => apiError(404, 10003, 'Unknown Channel');
export const unknownMessage = (): HttpResult => apiError(404, 10008, 'Unknown Message');
export const unknownGuild = (): HttpResult => apiError(404, 10004, 'Unknown Guild');
export const unknownWebhook = (): HttpResult => apiError(404, 10015, 'Unknown Webhook');
export const unknownInteraction = (): HttpResult => apiError(404, 10062, 'Unknown interaction');

/** Collects field errors under their JSON path, as Discord's `errors` tree: { a: { 0: { b: { _errors: [...] } } } } */
export class FormErrors {
  readonly tree: Record<string, unknown> = {};
  count = 0;

  add(path: ReadonlyArray<string | number>, code: string, message: string): void {
    let node: Record<string, unknown> = this.tree;
    for (const key of path) {
      const k = String(key);
      const next = node[k];
      if (next && typeof next === 'object') {
        node = next as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        node[k] = created;
        node = created;
      }
    }
    const list = (node._errors as Array<{ code: string; message: string }> | undefined) ?? [];
    list.push({ code, message });
    node._errors = list;
    this.count++;
  }

  maxLength(path: ReadonlyArray<string | number>, value: unknown, max: number): void {
    if (typeof value === 'string' && [...value].length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  lengthBetween(path: ReadonlyArray<string | number>, value: unknown, min: number, max: number): void {
    if (typeof value !== 'string') {
      this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return;
    }
    const n = [...value].length;
    if (n < min || n > max) this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }

  result(): HttpResult | null {
    return this.count > 0 ? apiError(400, 50035, 'Invalid Form Body', this) : null;
  }
}
