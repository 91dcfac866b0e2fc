import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_EMAIL_LENGTH,
  normaliseContactId,
  normaliseEmail,
  normaliseMobileNumber,
} from '../../src/enrolment/identifiers.js';

describe('normaliseEmail', () => {
  it('trims and lower-cases a plausible address', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
    expect(normaliseEmail('a+tag@sub.example.co.uk')).toBe('a+tag@sub.example.co.uk');
    expect(normaliseEmail('josé@exämple.de')).toBe('josé@exämple.de');
  });

  it.each([
    ['no at sign', 'example.com'],
    ['two at signs', 'a@b@example.com'],
    ['empty local part', '@example.com'],
    ['no dot in domain', 'a@localhost'],
    ['trailing dot', 'a@example.com.'],
    ['double dot in domain', 'a@example..com'],
    ['leading dot in local part', '.a@example.com'],
    ['space inside', 'a b@example.com'],
    ['angle brackets', '<a@example.com>'],
    ['empty', ''],
    ['blank', '   '],
  ])('rejects %s', (_label, value) => {
    expect(normaliseEmail(value)).toBeNull();
  });

  it('rejects non-strings', () => {
    for (const value of [42, null, undefined, {}, ['a@example.com'], true])
      expect(normaliseEmail(value)).toBeNull();
  });

  it('caps the length at 254 and the local part at 64', () => {
    const domain = '@example.com';
    expect(normaliseEmail('a'.repeat(64) + domain)).not.toBeNull();
    expect(normaliseEmail('a'.repeat(65) + domain)).toBeNull();
    const longDomain = 'a@' + 'b'.repeat(MAX_EMAIL_LENGTH - 6) + '.com';
    expect(longDomain.length).toBe(MAX_EMAIL_LENGTH + 0);
    expect(normaliseEmail(longDomain)).not.toBeNull();
    expect(normaliseEmail('a@' + 'b'.repeat(MAX_EMAIL_LENGTH) + '.com')).toBeNull();
  });

  it('returns quickly on a hostile megabyte string', () => {
    // Correctness, not speed: the answer is null and nothing throws.
    expect(normaliseEmail('a@'.repeat(500_000))).toBeNull();
    expect(normaliseEmail(' '.repeat(1_000_000) + 'a@example.com')).toBeNull();
  });

  it('is idempotent and its output never has upper case or surrounding space', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (value) => {
        const once = normaliseEmail(value);
        if (once === null) return;
        expect(normaliseEmail(once)).toBe(once);
        expect(once).toBe(once.trim().toLowerCase());
        expect(once.split('@')).toHaveLength(2);
      }),
    );
  });
});

describe('normaliseMobileNumber', () => {
  it('returns E.164 digits without the plus', () => {
    expect(normaliseMobileNumber('+44 7911 123456')).toBe('447911123456');
    expect(normaliseMobileNumber('+1 (415) 555-0123')).toBe('14155550123');
  });

  it('reads national numbers in the default country only', () => {
    expect(normaliseMobileNumber('07911 123456', 'GB')).toBe('447911123456');
    expect(normaliseMobileNumber('07911 123456')).toBeNull();
  });

  it('accepts digits that already carry the country code, as Dotdigital stores them', () => {
    expect(normaliseMobileNumber('447911123456', 'GB')).toBe('447911123456');
    expect(normaliseMobileNumber(447911123456)).toBe('447911123456');
  });

  it.each([
    ['letters', '+44 79ab 123456'],
    ['too short', '+44 79'],
    ['empty', ''],
    ['huge', '+' + '4'.repeat(10_000)],
  ])('rejects %s', (_label, value) => {
    expect(normaliseMobileNumber(value, 'GB')).toBeNull();
  });

  it('rejects non-strings and unsafe numbers', () => {
    for (const value of [null, undefined, {}, 1.5, -447911123456, Number.MAX_VALUE]) {
      expect(normaliseMobileNumber(value, 'GB')).toBeNull();
    }
  });
});

describe('normaliseContactId', () => {
  it('accepts positive 32-bit integers as numbers or digit strings', () => {
    expect(normaliseContactId(1)).toBe(1);
    expect(normaliseContactId(2_147_483_647)).toBe(2_147_483_647);
    expect(normaliseContactId(' 1234 ')).toBe(1234);
    expect(normaliseContactId('0042')).toBe(42);
  });

  it.each([
    0,
    -1,
    1.5,
    2_147_483_648,
    Number.NaN,
    Infinity,
    '0',
    '-5',
    '12a',
    '1e3',
    '',
    '  ',
    '99999999999',
    '+5',
  ])('rejects %s', (value) => {
    expect(normaliseContactId(value)).toBeNull();
  });

  it('agrees with a reference parser on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 14 }), (value) => {
        const trimmed = value.trim();
        const expected =
          /^[0-9]{1,10}$/.test(trimmed) && Number(trimmed) >= 1 && Number(trimmed) <= 2_147_483_647
            ? Number(trimmed)
            : null;
        expect(normaliseContactId(value)).toBe(expected);
      }),
    );
  });
});
