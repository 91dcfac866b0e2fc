import { DotdigitalApiError, type Program } from '../dotdigital/types.js';
import { ConfigError, SystemError, TransientError } from '../protocol/errors.js';

export const PASSWORD_REJECTED =
  "The API user's password was rejected by Dotdigital (401). Check the API user and password in Dotdigital " +
  'under Settings > Access > API users.';

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
  if (error instanceof ConfigError && /^401\b/.test(error.internalMessage)) {
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
  if (error.code === 'ERROR_PROGRAM_NOT_FOUND' || (error.status === 404 && action.programId !== undefined)) {
    return new ConfigError(programNotFound(action.programId), internal, options);
  }
  if (error.code === 'ERROR_PROGRAM_NOT_ACTIVE') {
    return new ConfigError(
      `Program ${action.programId ?? ''} is not Active, so Dotdigital does not enrol contacts into it. Activate it ` +
        'in Dotdigital, or pick an Active program (discover lists them).',
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

export function programNotFound(programId: number | undefined): string {
  return (
    `Program ${programId ?? '(none)'} does not exist in this Dotdigital account (404). Check program_id, or run ` +
    'discover to list the Active programs you can enrol into.'
  );
}

/** Why a program cannot take enrolments, with how to fix it; undefined when it is Active. */
export function programNotEnrollable(program: Program): string | undefined {
  const named = `Program ${program.id} "${program.name}"`;
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
