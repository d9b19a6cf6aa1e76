import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A random 16-character code no real gift code is (36^16 possibilities). The game checks the player and state before
 * the code, so redeeming it answers USER INFO ERROR for a wrong state and CDK NOT FOUND for the right one, and
 * redeems nothing.
 */
export function impossibleCode(length = 16): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
