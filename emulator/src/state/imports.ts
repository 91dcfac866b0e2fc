/**
 * Contacts v3 bulk import (PUT /contacts/v3/import). Asynchronous: items are applied when processing
 * finishes. Matching on contactId never creates a contact; matching on email or mobileNumber creates
 * one when none matches, as the documentation describes.
 */
import { V3Failure } from '../http/errors.js';
import type { Account, ContactImport, ImportItemFailure } from './account.js';
import { addMember } from './address-books.js';
import type { World } from './world.js';

export function activeImports(account: Account): number {
  let n = 0;
  for (const imp of account.imports.values()) if (imp.status === 'NotFinished') n++;
  return n;
}

export function startImport(world: World, account: Account, body: unknown): ContactImport {
  const b = body as { contacts?: unknown; mergeOption?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.contacts) || b.contacts.length === 0) {
    throw new V3Failure(400, 'contacts:invalidContacts', 'The request must contain at least one contact', [
      { item: 'contacts', description: 'You must specify a value' },
    ]);
  }
  const merge = b.mergeOption;
  if (
    merge !== undefined &&
    merge !== 'overwrite' &&
    merge !== 'overwriteIfNotEmpty' &&
    merge !== 'overwriteIfEmpty'
  ) {
    throw new V3Failure(400, 'contacts:invalidMergeOption', `The merge option '${String(merge)}' is invalid`);
  }
  if (activeImports(account) >= world.settings.maxActiveImports) {
    throw new V3Failure(
      429,
      'contacts:tooManyActiveImports',
      'Your import request cannot be accepted as too many imports are being processed for your account. Please wait for an import to complete and then resubmit.',
    );
  }
  const imp: ContactImport = {
    id: world.newId(),
    status: 'NotFinished',
    createdAt: world.clock.now(),
    items: b.contacts,
    stuck: false,
  };
  account.imports.set(imp.id, imp);
  scheduleImport(world, account, imp);
  return imp;
}

export function scheduleImport(world: World, account: Account, imp: ContactImport): void {
  world.clock.schedule(world.settings.importProcessingMs, () => finishImport(world, account, imp));
}

export function releaseStuckImports(world: World): void {
  for (const account of world.accounts) {
    for (const imp of account.imports.values()) if (imp.stuck) scheduleImport(world, account, imp);
  }
}

function finishImport(world: World, account: Account, imp: ContactImport): void {
  if (imp.status !== 'NotFinished') return;
  if (world.settings.faults.processingNeverFinishes) {
    imp.stuck = true;
    return;
  }
  imp.stuck = false;
  if (world.settings.importEndState !== 'Finished') {
    // A failed import applies nothing (the schema's other end states carry no summary).
    imp.status = world.settings.importEndState;
    return;
  }
  const now = world.clock.now();
  const store = account.contacts;
  const result: NonNullable<ContactImport['result']> = {
    created: [],
    updated: [],
    failures: [],
    duplicateIdentifiers: 0,
    invalidEntries: 0,
    globallySuppressed: 0,
  };
  const seen = new Set<number>();
  for (const raw of imp.items) {
    const item = (raw ?? {}) as {
      matchIdentifier?: unknown;
      identifiers?: Record<string, unknown>;
      lists?: unknown;
      dataFields?: unknown;
    };
    const identifiers = item.identifiers && typeof item.identifiers === 'object' ? item.identifiers : {};
    const fail = (failureCode: string, description: string, contactId?: number): void => {
      const failure: ImportItemFailure = {
        matchIdentifier:
          typeof item.matchIdentifier === 'string' && item.matchIdentifier ? item.matchIdentifier : 'unknown',
        identifiers: stringIdentifiers(identifiers),
        failures: [{ failureCode, description }],
      };
      if (contactId !== undefined) failure.contactId = contactId;
      result.failures.push(failure);
    };
    const lists = item.lists === undefined ? [] : item.lists;
    if (!Array.isArray(lists) || !lists.every((l) => Number.isInteger(l))) {
      result.invalidEntries++;
      fail('invalidLists', 'lists must be an array of list ids');
      continue;
    }
    let index: number;
    let created = false;
    switch (item.matchIdentifier) {
      case 'contactId': {
        const id = identifiers.contactId;
        if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
          result.invalidEntries++;
          fail('invalidContactId', 'identifiers.contactId must be a positive integer');
          continue;
        }
        index = store.indexOfId(id);
        if (index < 0) {
          fail('contactNotFound', `No contact with the contactId ${id} exists`, id);
          continue;
        }
        break;
      }
      case 'email':
      case 'mobileNumber': {
        const value = identifiers[item.matchIdentifier];
        if (typeof value !== 'string' || value === '') {
          result.invalidEntries++;
          fail('invalidIdentifier', `identifiers.${item.matchIdentifier} must be given`);
          continue;
        }
        index = item.matchIdentifier === 'email' ? store.indexOfEmail(value) : store.indexOfMobile(value);
        if (index < 0) {
          try {
            const email = typeof identifiers.email === 'string' ? identifiers.email : undefined;
            const mobile =
              typeof identifiers.mobileNumber === 'string' ? identifiers.mobileNumber : undefined;
            index = store.add({ contactId: store.nextContactId(), email, mobileNumber: mobile }, now);
            created = true;
          } catch (err) {
            result.invalidEntries++;
            fail('invalidIdentifier', (err as Error).message);
            continue;
          }
        }
        break;
      }
      default:
        result.invalidEntries++;
        fail('invalidMatchIdentifier', 'matchIdentifier must be contactId, email or mobileNumber');
        continue;
    }
    const contactId = store.idAt(index);
    const missingList = (lists as number[]).find((l) => !account.addressBooks.has(l));
    if (missingList !== undefined) {
      fail('listNotFound', `The list ${missingList} does not exist`, contactId);
      continue;
    }
    if (seen.has(contactId)) {
      result.duplicateIdentifiers++;
      const value =
        item.matchIdentifier === 'contactId' ? contactId : identifiers[String(item.matchIdentifier)];
      fail(
        'duplicateIdentifier',
        `Duplicate identifier detected for ${String(item.matchIdentifier)} '${String(value)}'`,
        contactId,
      );
      continue;
    }
    seen.add(contactId);
    // Account-level suppression: such contacts "can't be updated" (summary.globallySuppressed).
    if (world.settings.importSkipsSuppressed && store.view(index).status === 'suppressed') {
      result.globallySuppressed++;
      continue;
    }
    for (const l of lists as number[]) addMember(account.addressBooks.get(l)!, contactId);
    if (item.dataFields && typeof item.dataFields === 'object' && !Array.isArray(item.dataFields)) {
      store.mergeDataFields(index, item.dataFields as Record<string, unknown>);
    }
    store.touch(index, now);
    const view = store.view(index);
    const ref = { contactId, identifiers: identifiersOf(view.email, view.mobileNumber) };
    (created ? result.created : result.updated).push(ref);
  }
  imp.result = result;
  imp.status = 'Finished';
}

function identifiersOf(email: string | undefined, mobile: string | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  if (email) ids.email = email;
  if (mobile) ids.mobileNumber = mobile;
  return ids;
}

function stringIdentifiers(identifiers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(identifiers)) {
    if (k !== 'contactId' && (typeof v === 'string' || typeof v === 'number')) out[k] = String(v);
  }
  return out;
}

export function importJson(imp: ContactImport): Record<string, unknown> {
  if (imp.status !== 'Finished' || !imp.result) return { importId: imp.id, status: imp.status };
  const r = imp.result;
  return {
    importId: imp.id,
    status: 'Finished',
    summary: {
      newContacts: r.created.length,
      updatedContacts: r.updated.length,
      globallySuppressed: r.globallySuppressed,
      invalidEntries: r.invalidEntries,
      duplicateIdentifiers: r.duplicateIdentifiers,
    },
    created: r.created,
    updated: r.updated,
    failures: r.failures,
  };
}
