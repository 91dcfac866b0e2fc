/**
 * Dotdigital's refusals turned into errors a user can act on, in one place: every command and the
 * enrolment engine ask here, and each answer is read by the endpoint it came from (a 404 from an import
 * status is not a missing program). Nothing here reads an error's internal message.
 */
import { ConfigError, SystemError, TransientError } from '../protocol/errors.js';
import { CredentialsRejectedError } from './errors.js';
import { DotdigitalApiError, type Program } from './types.js';

export const PASSWORD_REJECTED =
  "The API user's password was rejected by Dotdigital (401). Check the API user and password in Dotdigital " +
  'under Settings > Access > API users.';

/** Look-up refusals that mean "this identifier is not one Dotdigital accepts", not a failed call. */
const IDENTIFIER_REFUSED = new Set(['contacts:invalidId', 'contacts:invalidIdentifier']);
const PROGRAM_NOT_FOUND = 'ERROR_PROGRAM_NOT_FOUND';
const PROGRAM_NOT_ACTIVE = 'ERROR_PROGRAM_NOT_ACTIVE';
/** Wrong region: v2 and v3 spell it differently. */
const WRONG_REGION = new Set(['ERROR_ACCOUNT_INVALID', 'contacts:forbidden']);
const LIST_LIMIT = 'ERROR_ADDRESSBOOK_LIMITEXCEEDED';

/** Endpoints whose 404 (without another code) means the program is missing. */
const PROGRAM_ENDPOINTS = new Set(['GET /v2/programs/{id}', 'POST /v2/programs/enrolments']);

/** What the connector was doing when a call failed, so the message can say what it needs. */
export interface FailedAction {
  /** e.g. "list the programs" */
  doing: string;
  programId?: number;
  /** True when the user chose the region (or base URL) instead of letting account-info find it. */
  regionSetByHand?: boolean;
}

/**
 * Turns a Dotdigital refusal into an error the user can act on. Errors that already are connector
 * errors pass through, except the client's 401, whose wording is unified here so check and write say
 * the same thing. Anything that is not understood stays as it was (the runner reports it as a bug).
 */
export function translateDotdigitalError(error: unknown, action: FailedAction): unknown {
  if (error instanceof CredentialsRejectedError) {
    return new ConfigError(PASSWORD_REJECTED, error.internalMessage, { cause: error });
  }
  if (!(error instanceof DotdigitalApiError)) return error;
  const internal = `${error.endpoint} answered ${error.status}${error.code ? ` ${error.code}` : ''} while trying to ${action.doing}`;
  const options = { cause: error };

  if (error.status === 401) return new ConfigError(PASSWORD_REJECTED, internal, options);
  // A wrong region also answers 403, so when the user picked the region that is worth checking too.
  const regionHint = action.regionSetByHand
    ? " The region is set by hand: also check it is the account's region, or set region to auto."
    : '';
  if (error.status === 403 && error.code !== undefined && WRONG_REGION.has(error.code)) {
    return new ConfigError(
      `Dotdigital does not serve this account on the region the connector called (403) when trying to ${action.doing}. ` +
        `Set region to the account's region (r1, r2 or r3), or to auto.${regionHint}`,
      internal,
      options,
    );
  }
  if (error.status === 403 && error.endpoint.includes('/v2/programs')) {
    return new ConfigError(
      'Dotdigital refused the API user access to programs (403). Give the API user the Programs permission in ' +
        `Dotdigital under Settings > Access > API users.${regionHint}`,
      internal,
      options,
    );
  }
  if (error.status === 403) {
    return new ConfigError(
      `Dotdigital refused the API user access (403) when trying to ${action.doing}. Check the API user's ` +
        `permissions in Dotdigital under Settings > Access > API users.${regionHint}`,
      internal,
      options,
    );
  }
  if (isProgramMissing(error)) return new ConfigError(programNotFound(action.programId), internal, options);
  if (error.code === PROGRAM_NOT_ACTIVE)
    return new ConfigError(programNotActive(action.programId), internal, options);
  if (error.code === LIST_LIMIT) {
    return new ConfigError(
      'The Dotdigital account has reached its limit of lists (address books), so the connector cannot create the staging list it enrols through. ' +
        'Delete lists the account no longer needs in Dotdigital, or set enrolment_mode to contacts.',
      internal,
      options,
    );
  }
  if (error.status === 404) {
    // Something the sync made or read went away (an import, a staging list, a contact): not the program.
    return new TransientError(
      `Dotdigital answered 404${error.code ? ` ${error.code}` : ''} to ${error.endpoint} while trying to ${action.doing}; the next attempt starts that step again.`,
      internal,
      options,
    );
  }
  if (error.status === 429 || error.status >= 500 || error.code === 'ERROR_APIUSAGE_EXCEEDED') {
    return new TransientError(
      `Dotdigital could not ${action.doing} right now (${error.status}). Try again later.`,
      internal,
      options,
    );
  }
  return new SystemError(
    `Dotdigital gave an unexpected answer (${error.status}${error.code ? ` ${error.code}` : ''}) when trying to ` +
      `${action.doing}. This may be a change in Dotdigital's API; please report it with the logs of this run.`,
    internal,
    options,
  );
}

/**
 * The program cannot take enrolments: only the user can fix that (pick another program or activate this
 * one), so it is a configuration error that names the program. Undefined for any other error.
 */
export function programProblem(error: unknown, programId: number): ConfigError | undefined {
  if (!(error instanceof DotdigitalApiError)) return undefined;
  const internal = `${error.endpoint} answered ${error.status}${error.code ? ` ${error.code}` : ''}`;
  if (isProgramMissing(error)) return new ConfigError(programNotFound(programId), internal, { cause: error });
  if (error.code === PROGRAM_NOT_ACTIVE) {
    return new ConfigError(programNotActive(programId), internal, { cause: error });
  }
  return undefined;
}

/** ERROR_PROGRAM_NOT_FOUND, or a bare 404 from an endpoint addressed by program. */
function isProgramMissing(error: DotdigitalApiError): boolean {
  if (error.code === PROGRAM_NOT_FOUND) return true;
  return error.status === 404 && error.code === undefined && PROGRAM_ENDPOINTS.has(error.endpoint);
}

/** Whether a look-up was refused because Dotdigital does not accept the identifier's value. */
export function isIdentifierRefused(error: unknown): error is DotdigitalApiError {
  return (
    error instanceof DotdigitalApiError &&
    error.status === 400 &&
    error.code !== undefined &&
    IDENTIFIER_REFUSED.has(error.code)
  );
}

export function programNotFound(programId: number | undefined): string {
  return (
    `Program ${programId ?? '(none)'} does not exist in this Dotdigital account (404). Check program_id, or run ` +
    'discover to list the Active programs you can enrol into.'
  );
}

export function programNotActive(programId: number | undefined): string {
  return (
    `Program ${programId ?? ''} is not Active, so Dotdigital does not enrol contacts into it. Activate it ` +
    'in Dotdigital, or pick an Active program (discover lists them).'
  );
}

/** Why a program cannot take enrolments, with how to fix it; undefined when it is Active. */
export function programNotEnrollable(program: Program): string | undefined {
  const named = program.name ? `Program ${program.id} "${program.name}"` : `Program ${program.id}`;
  switch (program.status) {
    case 'Active':
      return undefined;
    case 'Draft':
      return `${named} is a Draft, so it cannot enrol contacts yet. Activate it in the program builder in Dotdigital, or pick an Active program.`;
    case 'Deactivated':
      return `${named} is Deactivated, so it no longer enrols contacts. Reactivate it in Dotdigital, or pick an Active program.`;
    case 'ReadOnly':
      return `${named} is read-only (ReadOnly) and cannot enrol contacts. Pick an Active program; discover lists them.`;
    default:
      return `${named} has status ${String(program.status)}; only Active programs enrol contacts. Pick an Active program.`;
  }
}

/** Whether the region came from the user rather than from account-info. */
export function byHand(config: { region: string }): boolean {
  return config.region !== 'auto';
}
