/**
 * Failures specific to the Dotdigital client, beyond the shared ones in src/protocol/errors.ts and
 * DotdigitalApiError in ./types.ts.
 */
import { ConfigError, TransientError } from '../protocol/errors.js';

/** Dotdigital answered 401: the API user or its password is wrong (the translator words it for the user). */
export class CredentialsRejectedError extends ConfigError {}

export interface EnrolmentRequest {
  programId: number;
  contacts?: number[];
  addressBooks?: number[];
}

/**
 * A call that changes something in Dotdigital and whose outcome is unknown: the request may have reached
 * Dotdigital (the connection dropped, the call timed out, or Dotdigital answered 5xx) and may have taken effect.
 */
export class AmbiguousRequestError extends TransientError {
  constructor(
    readonly endpoint: string,
    /** What went wrong: `HTTP 503`, `ECONNRESET`, `timeout`… */
    readonly reason: string,
    message: string,
    internalMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, internalMessage, options);
  }
}

/**
 * An enrolment call whose outcome is unknown: the request may have reached Dotdigital (the connection dropped,
 * the call timed out, or Dotdigital answered 5xx) and may have created an enrolment. Retrying blindly could
 * enrol the same contacts twice and spend a second allowance unit, so the caller must first look at the
 * program's recent enrolments for this request.
 */
export class AmbiguousEnrolmentError extends AmbiguousRequestError {
  constructor(
    readonly request: EnrolmentRequest,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'POST /v2/programs/enrolments',
      reason,
      "Dotdigital did not confirm an enrolment call and it may or may not have been accepted; the sync will check the program's recent enrolments before trying again.",
      `POST /v2/programs/enrolments for program ${request.programId} ended ambiguously (${reason}); ` +
        `${request.contacts?.length ?? 0} contact(s), ${request.addressBooks?.length ?? 0} address book(s)`,
      options,
    );
  }
}
