import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MAX_CONTACTS_PAGE } from '../../../src/dotdigital/limits.js';
import type { Contact, ContactPage, DotdigitalClient } from '../../../src/dotdigital/types.js';
import { checkMembership, NOT_ADDED_TO_LIST } from '../../../src/enrolment/enrol/staging-membership.js';
import { StagingLists } from '../../../src/enrolment/enrol/staging-lists.js';

describe('the staging list checked against what was imported, before it is enrolled', () => {
  it('rejects each contact the import counted in but the list does not hold, with its reason', async () => {
    const members = [1, 2, 5];
    const contacts = new Map<number, Contact | null>([
      [3, { contactId: 3, status: 'suppressed', emailStatus: 'hardBounced' }],
      [4, null],
      [6, { contactId: 6, status: 'subscribed' }],
    ]);
    const client = {
      // Two pages, as Contacts v3 pages a list's members with markers.
      listContacts: async (page: { marker?: string; listId?: number }): Promise<ContactPage> =>
        page.marker === undefined
          ? {
              contacts: members.slice(0, 2).map((contactId) => ({ contactId, status: 'subscribed' })),
              nextMarker: 'm1',
            }
          : { contacts: members.slice(2).map((contactId) => ({ contactId, status: 'subscribed' })) },
      getContact: async (_kind: string, value: string) => contacts.get(Number(value)) ?? null,
    } as unknown as DotdigitalClient;
    const lists = new StagingLists(client, 1002, 'sync', pino({ level: 'silent' }));

    const checked = await checkMembership(client, lists, 9, {
      added: [1, 2, 3, 4, 5, 6],
      failures: [{ contactId: 7, reason: 'staging_import_failed_duplicate_identifier' }],
    });

    expect(checked.added).toEqual([1, 2, 5]);
    expect(checked.failures).toEqual([
      { contactId: 7, reason: 'staging_import_failed_duplicate_identifier' },
      { contactId: 3, reason: 'contact_hard_bounced' },
      { contactId: 4, reason: 'contact_not_found' },
      { contactId: 6, reason: NOT_ADDED_TO_LIST },
    ]);
  });

  it("reads the members in the listing's largest pages: each page is a Low-tier call", async () => {
    const limits: number[] = [];
    const client = {
      listContacts: async (page: { limit: number }): Promise<ContactPage> => {
        limits.push(page.limit);
        return { contacts: [{ contactId: 1, status: 'subscribed' }] };
      },
    } as unknown as DotdigitalClient;
    const lists = new StagingLists(client, 1002, 'sync', pino({ level: 'silent' }));
    expect(await lists.members(9)).toEqual([1]);
    expect(limits).toEqual([MAX_CONTACTS_PAGE]);
    expect(MAX_CONTACTS_PAGE).toBe(5000);
  });
});
