import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContactIndex } from '../../../src/enrolment/resolve/contact-index.js';

describe('ContactIndex', () => {
  it('finds every contact added across several sealed instalments, by each indexed kind', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 5 }),
        (ids, instalments) => {
          const index = new ContactIndex(new Set(['email', 'mobileNumber']));
          const sorted = [...ids].sort((a, b) => a - b);
          const step = Math.ceil(sorted.length / instalments);
          for (let i = 0; i < sorted.length; i += step) {
            for (const id of sorted.slice(i, i + step)) {
              index.add({
                contactId: id,
                status: id % 3 === 0 ? 'suppressed' : 'subscribed',
                email: `User${id}@Example.com `,
                mobileNumber: `+44${id}`,
                ...(id % 3 === 0 ? { emailStatus: 'hardBounced' } : {}),
              });
            }
            index.seal();
          }
          for (const id of ids) {
            const expected =
              id % 3 === 0 ? { status: 'suppressed', emailStatus: 'hardBounced' } : { status: 'subscribed' };
            expect(index.find('email', `user${id}@example.com`)).toEqual({ contactId: id, ...expected });
            expect(index.find('mobileNumber', `44${id}`)).toEqual({ contactId: id, ...expected });
            expect(index.find('contactId', String(id))).toEqual({ contactId: id, ...expected });
          }
          expect(index.find('email', 'nobody@example.com')).toBeUndefined();
          expect(index.find('contactId', '0')).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps contacts listed out of ID order searchable', () => {
    const index = new ContactIndex(new Set(['email']));
    for (const id of [5, 3, 9, 1]) index.add({ contactId: id, status: 'subscribed', email: `u${id}@x.io` });
    index.seal();
    expect([1, 3, 5, 9].map((id) => index.find('contactId', String(id))?.contactId)).toEqual([1, 3, 5, 9]);
    expect(index.find('email', 'u9@x.io')?.contactId).toBe(9);
  });

  it('answers email queries only when built for them', () => {
    const index = new ContactIndex(new Set(['mobileNumber']));
    index.add({ contactId: 7, status: 'subscribed', email: 'a@b.c', mobileNumber: '447' });
    index.seal();
    expect(index.covers('email')).toBe(false);
    expect(index.find('email', 'a@b.c')).toBeUndefined();
    expect(index.find('mobileNumber', '447')?.contactId).toBe(7);
  });

  it('gives up on an ID it cannot store compactly', () => {
    const index = new ContactIndex(new Set(['email']));
    index.add({ contactId: 2 ** 32, status: 'subscribed', email: 'a@b.c' });
    expect(index.usable).toBe(false);
  });
});
