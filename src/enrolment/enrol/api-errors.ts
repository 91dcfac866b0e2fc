import { DotdigitalApiError } from '../../dotdigital/types.js';

export const ALLOWANCE_EXCEEDED = 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED';
export const CONTACT_NOT_FOUND = 'ERROR_CONTACT_NOT_FOUND';
/** A contact's status (deleted, binned, unsubscribed…) makes Dotdigital refuse the whole call. */
export const CONTACT_SUPPRESSED = 'ERROR_CONTACT_SUPPRESSED';
export const ENROLMENT_IS_PROCESSING = 'ERROR_ENROLMENT_IS_PROCESSING';

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
