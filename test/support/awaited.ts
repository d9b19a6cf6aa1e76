/**
 * For `vi.waitFor` callbacks: returns `value` once it is there (truthy), else throws an error naming what is awaited.
 * vi.waitFor calls again on a throw, and when its timeout runs out it fails the test with the last error: the name.
 *
 *   const call = await vi.waitFor(() => awaited(sim.calls[0], 'the first call'), { timeout: 20_000 });
 */
export function awaited<T>(value: T | undefined | null | false | 0 | '', what: string): T {
  if (!value) throw new Error(`still waiting for ${what}`);
  return value;
}
