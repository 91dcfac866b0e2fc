import { describe, expect, it } from 'vitest';
import {
  PASSWORD_REJECTED,
  programNotEnrollable,
  translateDotdigitalError,
} from '../../src/dotdigital/error-translation.js';
import { CredentialsRejectedError } from '../../src/dotdigital/errors.js';
import { DotdigitalApiError } from '../../src/dotdigital/types.js';
import { ConfigError, SystemError, TransientError } from '../../src/protocol/errors.js';

const apiError = (status: number, code: string | undefined, endpoint = 'GET /v2/programs') =>
  new DotdigitalApiError(status, code, endpoint, `HTTP ${status}`);

describe('translateDotdigitalError', () => {
  it.each([
    [apiError(401, undefined), ConfigError, PASSWORD_REJECTED],
    [apiError(403, 'ERROR_FEATURENOTACTIVE'), ConfigError, 'Programs permission'],
    [apiError(403, undefined, 'GET /contacts/v3/{identifier}/{value}'), ConfigError, 'permissions'],
    [
      apiError(404, 'ERROR_PROGRAM_NOT_FOUND', 'GET /v2/programs/{id}'),
      ConfigError,
      'Program 77 does not exist',
    ],
    [
      apiError(422, 'ERROR_PROGRAM_NOT_ACTIVE', 'POST /v2/programs/enrolments'),
      ConfigError,
      'Program 77 is not Active',
    ],
    [apiError(429, undefined), TransientError, 'Try again later'],
    [apiError(503, undefined), TransientError, 'Try again later'],
    [apiError(400, 'ERROR_APIUSAGE_EXCEEDED'), TransientError, 'Try again later'],
    [apiError(400, 'ERROR_SOMETHING_NEW'), SystemError, 'unexpected answer (400 ERROR_SOMETHING_NEW)'],
  ])('turns %s into an actionable error', (error, type, text) => {
    const translated = translateDotdigitalError(error, { doing: 'read program 77', programId: 77 });
    expect(translated).toBeInstanceOf(type);
    expect((translated as Error).message).toContain(text);
    expect((translated as ConfigError).internalMessage).toContain(`answered ${error.status}`);
    expect((translated as Error).cause).toBe(error);
  });

  it('mentions the region on a 403 only when the user set the region by hand', () => {
    const auto = translateDotdigitalError(apiError(403, undefined), { doing: 'list the programs' }) as Error;
    const byHand = translateDotdigitalError(apiError(403, undefined), {
      doing: 'list the programs',
      regionSetByHand: true,
    }) as Error;
    expect(auto.message).not.toContain('region');
    expect(byHand.message).toContain('set region to auto');
  });

  it("rewords the client's 401 config error and passes other errors through", () => {
    const client401 = new CredentialsRejectedError(
      'Dotdigital rejected the credentials',
      '401 from GET /v2/account-info',
    );
    const reworded = translateDotdigitalError(client401, { doing: 'x' }) as ConfigError;
    expect(reworded.message).toBe(PASSWORD_REJECTED);
    expect(reworded.internalMessage).toBe('401 from GET /v2/account-info');

    const other = new TransientError('later', 'timeout');
    expect(translateDotdigitalError(other, { doing: 'x' })).toBe(other);
    const bug = new TypeError('boom');
    expect(translateDotdigitalError(bug, { doing: 'x' })).toBe(bug);
  });
});

describe('programNotEnrollable', () => {
  const program = (status: 'Draft' | 'Active' | 'Deactivated' | 'ReadOnly') => ({
    id: 5,
    name: 'Journey',
    status,
    dateCreated: '2024-01-01T00:00:00Z',
  });

  it('accepts an Active program and explains every other status', () => {
    expect(programNotEnrollable(program('Active'))).toBeUndefined();
    expect(programNotEnrollable(program('Draft'))).toContain('Activate it in the program builder');
    expect(programNotEnrollable(program('Deactivated'))).toContain('Reactivate it');
    expect(programNotEnrollable(program('ReadOnly'))).toContain('read-only');
  });
});
