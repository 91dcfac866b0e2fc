/**
 * Deterministic contact generator. Which contacts have which identifiers and statuses follows fixed
 * patterns on the contact's ordinal `n` (1-based), documented in emulator/README.md, so tests and the
 * demo can build audiences without asking the emulator; the seed only varies names and creation dates.
 */
import { hashToUnit } from './rng.js';
import type { ContactInput, ContactStore } from './state/contacts.js';

export interface GenerateOptions {
  count: number;
  firstId: number;
  seed: number;
  /** Domain of generated e-mail addresses. */
  emailDomain?: string;
}

const EPOCH_2024 = Date.UTC(2024, 0, 1);
const YEAR_MS = 365 * 86_400_000;

export function generatedEmail(n: number, domain = 'example.com'): string {
  return `user${n}@${domain}`;
}

export function generatedMobile(n: number): string {
  return `44795${String(n).padStart(7, '0')}`;
}

/** The generated contact with ordinal `n`. */
export function generatedContact(n: number, options: GenerateOptions): ContactInput {
  const kind = n % 10;
  const hasEmail = kind !== 7;
  const hasMobile = kind !== 3;
  const contact: ContactInput = {
    contactId: options.firstId + n - 1,
    created: EPOCH_2024 + Math.floor(hashToUnit(options.seed, n) * YEAR_MS),
  };
  if (hasEmail) contact.email = generatedEmail(n, options.emailDomain);
  if (hasMobile) contact.mobileNumber = generatedMobile(n);
  switch (n % 100) {
    case 11:
      Object.assign(contact, {
        status: 'unsubscribed',
        emailStatus: 'unsubscribed',
        smsStatus: 'unsubscribed',
      });
      break;
    case 21:
      Object.assign(contact, { status: 'suppressed', emailStatus: 'hardBounced' });
      break;
    case 31:
      Object.assign(contact, { status: 'suppressed', emailStatus: 'suppressed' });
      break;
    case 41:
      Object.assign(contact, { status: 'suppressed', emailStatus: 'ispComplained' });
      break;
    case 51:
      Object.assign(contact, { smsStatus: 'unsubscribed' });
      break;
    case 61:
      Object.assign(contact, { status: 'pendingOptIn', emailStatus: 'pendingOptIn' });
      break;
    case 77:
      Object.assign(contact, { status: 'unsubscribed', smsStatus: 'unsubscribed' });
      break;
  }
  return contact;
}

export function generateContacts(store: ContactStore, options: GenerateOptions, now: number): void {
  for (let n = 1; n <= options.count; n++) store.add(generatedContact(n, options), now);
}
