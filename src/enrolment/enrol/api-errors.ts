import { DotdigitalApiError } from '../../dotdigital/types.js';
import { ConfigError } from '../../protocol/errors.js';

export const ALLOWANCE_EXCEEDED = 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED';
export const CONTACT_NOT_FOUND = 'ERROR_CONTACT_NOT_FOUND';
export const ENROLMENT_IS_PROCESSING = 'ERROR_ENROLMENT_IS_PROCESSING';
const PROGRAM_NOT_FOUND = 'ERROR_PROGRAM_NOT_FOUND';
const PROGRAM_NOT_ACTIVE = 'ERROR_PROGRAM_NOT_ACTIVE';

/**
 * Fault-report reasons saying the contact was enrolled before (Dotdigital's published example spells
 * `AlreadyInProgram`; the others are the program-rule refusals the emulator models). After a resent
 * call they mean the lost call enrolled the contact. Compared without case.
 */
const ENROLLED_BEFORE_REASONS = new Set(['alreadyinprogram', 'previouslyenrolled', 'recentlyenrolled']);

export function saysEnrolledBefore(reason: string): boolean {
  return ENROLLED_BEFORE_REASONS.has(reason.toLowerCase());
}

export function hasCode(error: unknown, code: string): error is DotdigitalApiError {
  return error instanceof DotdigitalApiError && error.code === code;
}

/**
 * Retry-After of a refused call in milliseconds, when the client passes it on. DotdigitalApiError
 * does not carry headers in its contract; a client that adds `retryAfterMs` is honoured.
 */
export function retryAfterMsOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The program cannot take enrolments: only the user can fix that (pick another program or
 * activate this one), so it is a configuration error that names the program.
 */
export function programProblem(error: unknown, programId: number): ConfigError | undefined {
  if (
    hasCode(error, PROGRAM_NOT_FOUND) ||
    (error instanceof DotdigitalApiError && error.status === 404 && isProgramRoute(error))
  ) {
    return new ConfigError(
      `Dotdigital has no program ${programId} in this account (it may have been deleted). ` +
        `Choose an existing program in the connection's settings (program_id or the stream's destination object) and run the sync again.`,
      error instanceof DotdigitalApiError ? error.message : String(error),
      { cause: error },
    );
  }
  if (hasCode(error, PROGRAM_NOT_ACTIVE)) {
    return new ConfigError(
      `Program ${programId} is not active in Dotdigital, so it cannot enrol anyone. ` +
        `Activate the program in Dotdigital (Automation > Programs) or choose an active program, then run the sync again.`,
      error.message,
      { cause: error },
    );
  }
  return undefined;
}

function isProgramRoute(error: DotdigitalApiError): boolean {
  return error.endpoint === 'POST /v2/programs/enrolments' && error.code === undefined;
}
