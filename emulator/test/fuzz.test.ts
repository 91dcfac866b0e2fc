/**
 * Property tests: whatever a client sends to the endpoints the connector uses, the emulator answers with a
 * status the spec documents and a body that matches the spec for that status — never a 500, never an
 * undocumented shape. Runs are seeded so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkComponent, checkResponse, documentedStatuses } from './openapi.js';
import { useEmulator } from './support/emulator.js';
import { PROGRAM } from './support/fixture.js';

const emulator = useEmulator({ settings: { rateLimitMode: 'off' } });

const LOOKUP = '/contacts/v3/{identifier}/{value}';

describe('contact look-ups with arbitrary values', () => {
  it('answer 200, 400 or 404 with the documented body', async () => {
    const t = emulator();
    const identifier = fc.constantFrom('contactId', 'email', 'mobileNumber');
    const value = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.integer({ min: -5, max: 20_000 }).map(String),
      fc.emailAddress(),
      fc.stringMatching(/^\+?[0-9]{5,16}$/),
    );
    await fc.assert(
      fc.asyncProperty(identifier, value, async (id, raw) => {
        const response = await t.api.get(`/contacts/v3/${id}/${encodeURIComponent(raw)}`);
        expect(documentedStatuses('contacts-v3', 'get', LOOKUP)).toContain(String(response.status));
        const check = checkResponse('contacts-v3', 'get', LOOKUP, response.status, response.json);
        expect(check.errors, `${id}/${raw} → ${response.status} ${response.text.slice(0, 200)}`).toEqual([]);
      }),
      { numRuns: 300, seed: 20_241_123 },
    );
  });
});

describe('enrolment requests with arbitrary bodies', () => {
  it('answer a documented status with the documented body', async () => {
    const t = emulator();
    const ids = fc.array(fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer(), fc.string()), {
      maxLength: 30,
    });
    const body = fc.oneof(
      fc.record(
        {
          programId: fc.oneof(
            fc.constantFrom(...Object.values(PROGRAM), 9999),
            fc.string(),
            fc.constant(null),
          ),
          contacts: ids,
          addressBooks: fc.array(fc.oneof(fc.constantFrom(7001, 7002, 1), fc.string()), { maxLength: 12 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        await t.control.resetAllowance();
        const response = await t.api.post('/v2/programs/enrolments', payload);
        const where = `${JSON.stringify(payload).slice(0, 200)} → ${response.status} ${response.text.slice(0, 200)}`;
        expect(documentedStatuses('programs', 'post', '/v2/programs/enrolments'), where).toContain(
          String(response.status),
        );
        const check = checkResponse(
          'programs',
          'post',
          '/v2/programs/enrolments',
          response.status,
          response.json,
        );
        expect(check.errors, where).toEqual([]);
        if (response.status >= 400)
          expect(checkComponent('programs', 'ApiError', response.json).valid).toBe(true);
      }),
      { numRuns: 300, seed: 20_241_124 },
    );
  });

  it('accept an unparseable body with a documented 400, not a 500', async () => {
    const response = await emulator().api.post(
      '/v2/programs/enrolments',
      '{"programId": 1002, "contacts": [1,',
    );
    expect(response.status).toBe(400);
    expect(checkResponse('programs', 'post', '/v2/programs/enrolments', 400, response.json).errors).toEqual(
      [],
    );
  });
});
