import { describe, expect, it } from 'vitest';
import { buildUrl, toApiError } from '../../src/dotdigital/http.js';
import { DotdigitalApiError } from '../../src/dotdigital/types.js';

const ENDPOINT = 'GET /contacts/v3/{identifier}/{value}';

describe('toApiError', () => {
  it('reads the code from a v2 message', () => {
    const error = toApiError(
      400,
      '{"message":"Error: ERROR_CONTACT_NOT_FOUND"}',
      'POST /v2/programs/enrolments',
    );
    expect(error).toBeInstanceOf(DotdigitalApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'ERROR_CONTACT_NOT_FOUND',
      endpoint: 'POST /v2/programs/enrolments',
    });
    expect(error.message).toBe(
      'Dotdigital answered 400 ERROR_CONTACT_NOT_FOUND to POST /v2/programs/enrolments',
    );
  });

  it('reads a PascalCase v2 body and a bare code', () => {
    expect(toApiError(400, '{"Message":"ERROR_PROGRAM_NOT_ACTIVE"}', 'x').code).toBe(
      'ERROR_PROGRAM_NOT_ACTIVE',
    );
    expect(toApiError(400, '"Error: ERROR_PARAMETER_INVALID"', 'x').code).toBe('ERROR_PARAMETER_INVALID');
  });

  it('reads a v3 error body with its description', () => {
    const error = toApiError(
      404,
      JSON.stringify({
        errorCode: 'contacts:contactNotFound',
        description: 'Not found',
        details: [{ item: 'a@b.c', description: 'x' }],
      }),
      ENDPOINT,
    );
    expect(error).toMatchObject({ status: 404, code: 'contacts:contactNotFound', endpoint: ENDPOINT });
    expect(error.message).toContain('Not found');
  });

  it('copes with empty, HTML and unexpected bodies', () => {
    expect(toApiError(502, '', ENDPOINT).code).toBeUndefined();
    expect(toApiError(502, '<html>Bad gateway</html>', ENDPOINT).code).toBeUndefined();
    expect(toApiError(500, '{"oops":1}', ENDPOINT).message).toBe(`Dotdigital answered 500 to ${ENDPOINT}`);
  });
});

describe('buildUrl', () => {
  it('encodes path values and leaves out undefined query parameters', () => {
    expect(
      buildUrl('http://127.0.0.1:1/r2', {
        method: 'GET',
        route: '/contacts/v3/{identifier}/{value}',
        pathParams: { identifier: 'email', value: 'a+b/c@example.com' },
        query: { limit: 5, marker: undefined },
      }),
    ).toBe('http://127.0.0.1:1/r2/contacts/v3/email/a%2Bb%2Fc%40example.com?limit=5');
  });
});
