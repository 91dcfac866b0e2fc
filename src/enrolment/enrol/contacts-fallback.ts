/**
 * When Dotdigital keeps ending the imports into a staging list in a failure state (Failed,
 * RejectedByWatchdog, ExceedsAllowedContactLimit) and the halving of staging-import.ts is spent, the
 * contacts it refused are enrolled by contact IDs, 25 a call, where the list-or-contacts rule allows it
 * (batch-mode.ts); otherwise the sync stops with a config error, so a retry does not repeat the same
 * refused imports in a loop.
 */
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../config/types.js';
import { MAX_CONTACTS_PER_ENROLMENT } from '../../dotdigital/limits.js';
import { ConfigError } from '../../protocol/errors.js';
import { FALLBACK_MAX_CONTACTS, fallsBackToContacts } from '../batch-mode.js';
import { DroppedContact } from '../engine-types.js';
import type { AcceptedCall, EnrolmentCallContext } from './enrolment-call.js';
import { submitContacts } from './contacts-submit.js';
import type { ImportRefusal } from './staging-import.js';

/** Throws the config error when the refused contacts may not be enrolled by contact IDs. */
export function requireFallback(
  config: Pick<ConnectorConfig, 'enrolmentMode' | 'listModeThreshold'>,
  refusal: ImportRefusal,
): void {
  const count = refusal.contactIds.length;
  if (fallsBackToContacts(config, count)) return;
  const what =
    `Dotdigital would not add ${count} contacts to the connector's staging list: its imports ended ` +
    `${refusal.status}, ${refusal.tries} times, in ever smaller parts.`;
  const why =
    config.enrolmentMode === 'list'
      ? ' enrolment_mode is list, so they are not enrolled by contact IDs instead; set enrolment_mode to auto to allow that'
      : ` That is more than the ${FALLBACK_MAX_CONTACTS} contacts one hour's enrolment allowance can enrol by contact IDs instead`;
  throw new ConfigError(
    `${what}${why}, or ask Dotdigital why the imports fail (ExceedsAllowedContactLimit: the account's contact limit is reached). ` +
      'The sync continues from the last saved state.',
    `PUT /contacts/v3/import ended ${refusal.status} for ${count} contacts after ${refusal.tries} tries; enrolment_mode ${config.enrolmentMode}`,
  );
}

export interface ContactsInstead {
  calls: AcceptedCall[];
  enrolled: number[];
  dropped: DroppedContact[];
}

/** Enrols the contacts a staging list could not take, by contact IDs, one allowance unit per 25. */
export async function enrolByContactsInstead(
  ctx: EnrolmentCallContext,
  refusal: ImportRefusal,
  logger: Logger,
): Promise<ContactsInstead> {
  const ids = refusal.contactIds;
  logger.warn(
    { contacts: ids.length, importStatus: refusal.status, tries: refusal.tries },
    `Dotdigital would not import ${ids.length} contacts into the staging list (${refusal.status}, ${refusal.tries} tries); ` +
      `enrolling them by contact IDs instead, ${Math.ceil(ids.length / MAX_CONTACTS_PER_ENROLMENT)} enrolment calls`,
  );
  const out: ContactsInstead = { calls: [], enrolled: [], dropped: [] };
  for (let start = 0; start < ids.length; start += MAX_CONTACTS_PER_ENROLMENT) {
    const submission = await submitContacts(ctx, ids.slice(start, start + MAX_CONTACTS_PER_ENROLMENT));
    out.dropped.push(
      ...submission.missing.map((contactId) => new DroppedContact(contactId, 'contact_not_found')),
      ...submission.refused.map(({ contactId, reason }) => new DroppedContact(contactId, reason)),
    );
    if (submission.enrolment === undefined) continue;
    out.calls.push({ enrolment: submission.enrolment, resent: submission.resent });
    out.enrolled.push(...submission.enrolled);
  }
  return out;
}
