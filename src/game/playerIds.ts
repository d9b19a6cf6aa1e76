/** Player ids (`fid`) are positive integers of up to 12 digits. */
export function isValidFid(value: string): boolean {
  return /^[1-9][0-9]{0,11}$/.test(value);
}

/** States (`kid`) are positive integers (a few thousand exist). */
export function isValidState(value: string | number): boolean {
  const text = String(value);
  return /^[1-9][0-9]{0,5}$/.test(text);
}
