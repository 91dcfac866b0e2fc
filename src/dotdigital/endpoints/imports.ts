/** Contacts v3 bulk import, used only to add existing contacts (matched on contactId) to a list. */
import { z } from 'zod';
import type { ApiCaller } from '../caller.js';
import type { ContactImportStatus } from '../types.js';
import { parseResponse } from '../validate.js';

const startSchema = z.object({ importId: z.string().min(1) });

/**
 * Safe to repeat by design: every item matches an existing contact by contactId (so nothing is ever created)
 * and only adds it to one list, which is a no-op the second time. A repeated import after a dropped
 * connection costs at most one more import job, so this call is retried like a read.
 */
export async function startContactImport(
  caller: ApiCaller,
  contactIds: number[],
  listId: number,
): Promise<string> {
  const response = await caller.call({
    method: 'PUT',
    route: '/contacts/v3/import',
    idempotent: true,
    json: {
      // Nothing but the list membership is sent, and no existing value may be overwritten.
      mergeOption: 'overwriteIfEmpty',
      contacts: contactIds.map((contactId) => ({
        matchIdentifier: 'contactId',
        identifiers: { contactId },
        lists: [listId],
      })),
    },
  });
  return parseResponse(startSchema, response, 'PUT /contacts/v3/import').importId;
}

const statusSchema = z.object({
  importId: z.string(),
  status: z.string(),
  summary: z
    .object({
      newContacts: z.number().nullish(),
      updatedContacts: z.number().nullish(),
    })
    .nullish(),
  created: z.array(z.unknown()).nullish(),
  updated: z.array(z.unknown()).nullish(),
  failures: z
    .array(
      z.object({
        contactId: z.number().int().nullish(),
        matchIdentifier: z.string().nullish(),
        identifiers: z.record(z.string(), z.unknown()).nullish(),
        failures: z.array(z.object({ failureCode: z.string(), description: z.string().nullish() })).nullish(),
      }),
    )
    .nullish(),
});

export async function getContactImport(caller: ApiCaller, importId: string): Promise<ContactImportStatus> {
  const response = await caller.call({
    method: 'GET',
    route: '/contacts/v3/import/{importId}',
    pathParams: { importId },
  });
  const body = parseResponse(statusSchema, response, 'GET /contacts/v3/import/{importId}');
  const result: ContactImportStatus = {
    importId: body.importId,
    status: body.status,
    failures: (body.failures ?? []).map((failure) => {
      const identifiedId = failure.identifiers?.contactId;
      const contactId = failure.contactId ?? (typeof identifiedId === 'number' ? identifiedId : undefined);
      const reasons = (failure.failures ?? []).map((reason) => reason.failureCode);
      return {
        item: failure.identifiers ?? (contactId === undefined ? null : { contactId }),
        failureReason: reasons.length > 0 ? reasons.join(', ') : 'unknown',
        ...(contactId === undefined ? {} : { contactId }),
      };
    }),
  };
  const created = body.summary?.newContacts ?? body.created?.length;
  const updated = body.summary?.updatedContacts ?? body.updated?.length;
  if (created !== undefined && created !== null) result.created = created;
  if (updated !== undefined && updated !== null) result.updated = updated;
  return result;
}
