import { describe, expect, it } from 'vitest';
import { accountOfAccessKeyId, newAccessKeyId, newId, newSecretAccessKey } from '../../src/ids.js';

describe('identifiers', () => {
  it('access key IDs carry their account, as current AWS keys do', () => {
    // A published real key ID and its account (ids-and-arns.md §7, community research).
    expect(accountOfAccessKeyId('ASIAY34FZKBOKMUTVV7A')).toBe('609629065308');
    for (const account of ['000000000001', '123456789012', '999999999999']) {
      const key = newAccessKeyId('ASIA', account);
      expect(key).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(accountOfAccessKeyId(key)).toBe(account);
    }
  });

  it('unique IDs are 21 characters of [A-Z2-7] after the prefix, secrets 40 characters', () => {
    expect(newId('AROA')).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(newSecretAccessKey()).toMatch(/^[A-Za-z0-9+/]{40}$/);
  });
});
