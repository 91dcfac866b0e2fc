/** Contact shapes: Contacts v3 (`contact` schema) and the v2 address-book member shape. */
import type { Account } from '../state/account.js';
import { countryOfMobile, type ContactView } from '../state/contacts.js';

export interface V3Parts {
  dataFields: boolean;
  channelProperties: boolean;
  lists: boolean;
}

const LIST_STATUS: Record<string, string> = { subscribed: 'subscribed', pendingOptIn: 'pending' };

export function v3Contact(account: Account, view: ContactView, parts: V3Parts): Record<string, unknown> {
  const identifiers: Record<string, string> = {};
  if (view.email) identifiers.email = view.email;
  if (view.mobileNumber) identifiers.mobileNumber = view.mobileNumber;
  const contact: Record<string, unknown> = {
    contactId: view.contactId,
    status: view.status,
    created: new Date(view.created).toISOString(),
    updated: new Date(view.updated).toISOString(),
    identifiers,
  };
  if (parts.dataFields) contact.dataFields = account.contacts.dataFieldsOf(view.index);
  if (parts.channelProperties) {
    const channels: Record<string, unknown> = {};
    if (view.emailStatus)
      channels.email = { status: view.emailStatus, emailType: 'Html', optInType: 'Single' };
    if (view.mobileNumber && view.smsStatus) {
      channels.sms = { status: view.smsStatus, countryCode: countryOfMobile(view.mobileNumber) };
    }
    contact.channelProperties = channels;
  }
  if (parts.lists) {
    const lists: { id: number; name: string; status: string }[] = [];
    for (const book of account.addressBooks.values()) {
      if (book.members.has(view.contactId)) {
        lists.push({
          id: book.id,
          name: book.name,
          status: LIST_STATUS[view.status] ?? 'suppressed',
        });
      }
    }
    contact.lists = lists;
  }
  return contact;
}

const V2_STATUS: Record<string, string> = {
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
  softBounced: 'SoftBounced',
  hardBounced: 'HardBounced',
  ispComplained: 'IspComplained',
  pendingOptIn: 'PendingOptIn',
  directComplaint: 'DirectComplaint',
  deleted: 'Deleted',
  sharedsuppression: 'SharedSuppression',
  domainSuppressed: 'DomainSuppression',
  noSubscription: 'NotAllowed',
};

export function v2Contact(
  account: Account,
  view: ContactView,
  withFullData: boolean,
): Record<string, unknown> {
  const word = view.emailStatus ?? view.status;
  return {
    id: view.contactId,
    email: view.email,
    optInType: 'Single',
    emailType: 'Html',
    dataFields: withFullData
      ? Object.entries(account.contacts.dataFieldsOf(view.index)).map(([key, value]) => ({ key, value }))
      : null,
    status: V2_STATUS[word] ?? 'Suppressed',
  };
}
