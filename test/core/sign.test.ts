import { describe, expect, it } from 'vitest';
import { normalizeCode } from '../../src/game/giftCode.ts';
import { signParams } from '../../src/game/sign.ts';

describe('sign', () => {
  it('matches the spec example (MD5 computed independently)', () => {
    // md5("cdk=ABC123&fid=45379845&kid=312&time=1763856000tB87#kPtkxqOS2"), from Python's hashlib.
    expect(signParams({ time: 1763856000, fid: '45379845', kid: 312, cdk: 'ABC123' }, 'tB87#kPtkxqOS2')).toBe(
      'a6f12902af19a1599b14ee4fd0a725e3',
    );
  });

  it('ignores an existing sign field and does not URL-encode values', () => {
    const a = signParams({ cdk: 'A B&C', fid: '1', sign: 'old' }, 'salt');
    const b = signParams({ fid: '1', cdk: 'A B&C' }, 'salt');
    expect(a).toBe(b);
  });
});

describe('codes pasted from chat', () => {
  it.each([
    ['', 'empty'],
    ['AB', 'too short'],
    ['THISCODEISFARTOOLONGFORANYGAME', 'too long'],
    ['CODE 2026', 'without spaces'],
    ['CÖDE-2026', 'letters and digits only'],
  ])('rejects %j with a reason (%s)', (input, reason) => {
    const result = normalizeCode(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});
