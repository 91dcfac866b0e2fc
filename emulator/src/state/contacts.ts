/**
 * Contacts of one account, stored column-wise (typed arrays plus two string columns) so that a
 * million contacts fit in a few hundred megabytes and look-ups by id, email or mobile are O(1)/O(log n).
 * Rows are kept in ascending contactId order, which is also the order of GET /contacts/v3.
 */
import { hashToUnit } from '../rng.js';

export const CONTACT_STATUSES = [
  'subscribed',
  'unsubscribed',
  'pendingOptIn',
  'deleted',
  'suppressed',
  'binned',
  'noSubscription',
] as const;
export const EMAIL_STATUSES = [
  'noSubscription',
  'subscribed',
  'unsubscribed',
  'softBounced',
  'hardBounced',
  'ispComplained',
  'pendingOptIn',
  'directComplaint',
  'spamTrap',
  'deleted',
  'blockedlocalpart',
  'sharedsuppression',
  'sharedDomainSuppression',
  'suppressed',
  'purchased',
  'knownComplainer',
  'knownLitigator',
  'binned',
  'domainSuppressed',
] as const;
export const SMS_STATUSES = [
  'noSubscription',
  'subscribed',
  'unsubscribed',
  'bounced',
  'deleted',
  'suppressed',
  'binned',
] as const;

export type ContactStatus = (typeof CONTACT_STATUSES)[number];
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export type SmsStatus = (typeof SMS_STATUSES)[number];

const NONE = 255;

export interface ContactInput {
  contactId: number;
  email?: string;
  mobileNumber?: string;
  status?: ContactStatus;
  emailStatus?: EmailStatus;
  smsStatus?: SmsStatus;
  created?: number;
  dataFields?: Record<string, unknown>;
}

export interface ContactView {
  index: number;
  contactId: number;
  email: string | undefined;
  mobileNumber: string | undefined;
  status: ContactStatus;
  emailStatus: EmailStatus | undefined;
  smsStatus: SmsStatus | undefined;
  created: number;
  updated: number;
}

const FIRST_NAMES = [
  'Ada',
  'Bo',
  'Cyd',
  'Dee',
  'Eli',
  'Fay',
  'Gus',
  'Hal',
  'Ivy',
  'Jo',
  'Kai',
  'Lu',
  'Mo',
  'Ned',
  'Ora',
  'Pia',
];
const LAST_NAMES = [
  'Archer',
  'Baker',
  'Carter',
  'Dyer',
  'Fisher',
  'Glover',
  'Hunter',
  'Mason',
  'Potter',
  'Ward',
];

export class ContactStore {
  private ids = new Int32Array(1024);
  private status = new Uint8Array(1024);
  private emailStatus = new Uint8Array(1024);
  private smsStatus = new Uint8Array(1024);
  private created = new Float64Array(1024);
  private updated = new Float64Array(1024);
  private readonly emails: (string | undefined)[] = [];
  private readonly mobiles: (string | undefined)[] = [];
  private readonly emailIndex = new Map<string, number>();
  private readonly mobileIndex = new Map<string, number>();
  /** Only contacts given explicit data fields (fixtures, imports) have an entry; the rest derive names from the seed. */
  private readonly dataFields = new Map<number, Record<string, unknown>>();
  private count = 0;

  constructor(private readonly nameSeed = 1) {}

  get size(): number {
    return this.count;
  }

  /** Appends a contact; ids must arrive in ascending order. */
  add(input: ContactInput, now: number): number {
    if (!Number.isInteger(input.contactId) || input.contactId <= 0 || input.contactId > 0x7fffffff) {
      throw new RangeError(`contactId ${input.contactId} must be a positive 32-bit integer`);
    }
    if (this.count > 0 && input.contactId <= this.ids[this.count - 1]!) {
      throw new RangeError(`contactId ${input.contactId} is a duplicate or out of ascending order`);
    }
    const email = input.email?.trim() || undefined;
    const mobile = input.mobileNumber ? normaliseMobile(input.mobileNumber) : undefined;
    if (input.mobileNumber && !mobile)
      throw new RangeError(`contact ${input.contactId}: invalid mobileNumber`);
    if (email && this.emailIndex.has(email.toLowerCase())) throw new RangeError(`duplicate email ${email}`);
    if (mobile && this.mobileIndex.has(mobile)) throw new RangeError(`duplicate mobileNumber ${mobile}`);
    checkedIndex(CONTACT_STATUSES, input.status ?? 'subscribed', 'status');
    if (email) checkedIndex(EMAIL_STATUSES, input.emailStatus ?? 'subscribed', 'emailStatus');
    if (mobile) checkedIndex(SMS_STATUSES, input.smsStatus ?? 'subscribed', 'smsStatus');
    this.ensureCapacity(this.count + 1);
    const i = this.count++;
    this.ids[i] = input.contactId;
    this.status[i] = checkedIndex(CONTACT_STATUSES, input.status ?? 'subscribed', 'status');
    this.emailStatus[i] = email
      ? checkedIndex(EMAIL_STATUSES, input.emailStatus ?? 'subscribed', 'emailStatus')
      : NONE;
    this.smsStatus[i] = mobile
      ? checkedIndex(SMS_STATUSES, input.smsStatus ?? 'subscribed', 'smsStatus')
      : NONE;
    this.created[i] = input.created ?? now;
    this.updated[i] = input.created ?? now;
    this.emails[i] = email;
    this.mobiles[i] = mobile;
    if (email) this.emailIndex.set(email.toLowerCase(), i);
    if (mobile) this.mobileIndex.set(mobile, i);
    if (input.dataFields) this.dataFields.set(i, input.dataFields);
    return i;
  }

  nextContactId(): number {
    return this.count === 0 ? 1 : this.ids[this.count - 1]! + 1;
  }

  indexOfId(contactId: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid]!;
      if (v === contactId) return mid;
      if (v < contactId) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Index of the first contact whose id is greater than `contactId`. */
  indexAfterId(contactId: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! <= contactId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  indexOfEmail(email: string): number {
    return this.emailIndex.get(email.toLowerCase()) ?? -1;
  }

  /** Accepts digits with or without a leading '+'. */
  indexOfMobile(mobile: string): number {
    const digits = normaliseMobile(mobile);
    return digits ? (this.mobileIndex.get(digits) ?? -1) : -1;
  }

  hasEmail(index: number): boolean {
    return index >= 0 && this.emails[index] !== undefined;
  }

  idAt(index: number): number {
    return this.ids[index]!;
  }

  view(index: number): ContactView {
    const es = this.emailStatus[index]!;
    const ss = this.smsStatus[index]!;
    return {
      index,
      contactId: this.ids[index]!,
      email: this.emails[index],
      mobileNumber: this.mobiles[index],
      status: CONTACT_STATUSES[this.status[index]!]!,
      emailStatus: es === NONE ? undefined : EMAIL_STATUSES[es],
      smsStatus: ss === NONE ? undefined : SMS_STATUSES[ss],
      created: this.created[index]!,
      updated: this.updated[index]!,
    };
  }

  dataFieldsOf(index: number): Record<string, unknown> {
    const explicit = this.dataFields.get(index);
    if (explicit) return explicit;
    const id = this.ids[index]!;
    const first = FIRST_NAMES[Math.floor(hashToUnit(this.nameSeed, id) * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(hashToUnit(this.nameSeed + 1, id) * LAST_NAMES.length)]!;
    return { FIRSTNAME: first, LASTNAME: last, FULLNAME: `${first} ${last}` };
  }

  /** Merges imported data fields over the contact's current ones. */
  mergeDataFields(index: number, fields: Record<string, unknown>): void {
    this.dataFields.set(index, { ...this.dataFieldsOf(index), ...fields });
  }

  setStatuses(
    index: number,
    patch: { status?: ContactStatus; emailStatus?: EmailStatus; smsStatus?: SmsStatus },
    now: number,
  ): void {
    if (patch.status !== undefined)
      this.status[index] = checkedIndex(CONTACT_STATUSES, patch.status, 'status');
    if (patch.emailStatus !== undefined) {
      if (!this.emails[index]) throw new RangeError('contact has no email address');
      this.emailStatus[index] = checkedIndex(EMAIL_STATUSES, patch.emailStatus, 'emailStatus');
    }
    if (patch.smsStatus !== undefined) {
      if (!this.mobiles[index]) throw new RangeError('contact has no mobile number');
      this.smsStatus[index] = checkedIndex(SMS_STATUSES, patch.smsStatus, 'smsStatus');
    }
    this.updated[index] = now;
  }

  touch(index: number, now: number): void {
    this.updated[index] = now;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.ids.length) return;
    const size = Math.max(needed, this.ids.length * 2);
    this.ids = grow(this.ids, new Int32Array(size));
    this.status = grow(this.status, new Uint8Array(size));
    this.emailStatus = grow(this.emailStatus, new Uint8Array(size));
    this.smsStatus = grow(this.smsStatus, new Uint8Array(size));
    this.created = grow(this.created, new Float64Array(size));
    this.updated = grow(this.updated, new Float64Array(size));
  }
}

function grow<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

function checkedIndex(list: readonly string[], value: string, name: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new RangeError(`${name} must be one of ${list.join(', ')}`);
  return i;
}

/** Digits of an international number without '+', or undefined when it is not one. */
export function normaliseMobile(value: string): string | undefined {
  const digits = value.startsWith('+') ? value.slice(1) : value;
  if (digits.length < 7 || digits.length > 15) return undefined;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return digits[0] === '0' ? undefined : digits;
}

const COUNTRY_PREFIXES: [string, string][] = [
  ['353', 'IE'],
  ['44', 'GB'],
  ['61', 'AU'],
  ['64', 'NZ'],
  ['65', 'SG'],
  ['33', 'FR'],
  ['49', 'DE'],
  ['1', 'US'],
];

export function countryOfMobile(digits: string): string {
  for (const [prefix, country] of COUNTRY_PREFIXES) if (digits.startsWith(prefix)) return country;
  return '';
}
