/** Form fields (or a JSON object, which Laravel would also accept); the first occurrence of a name wins. */
export function parseFields(contentType: string | undefined, body: string): Record<string, string> {
  // No prototype, so names like `constructor` or `__proto__` are plain fields.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
        }
      }
    } catch {
      // Malformed JSON leaves the fields empty: params error.
    }
    return fields;
  }
  for (const [key, value] of new URLSearchParams(body)) {
    if (!Object.hasOwn(fields, key)) fields[key] = value;
  }
  return fields;
}
