/**
 * What the connector knows of Dotdigital, as returned by src/dotdigital/client.ts. Response bodies
 * are validated with zod in the endpoint modules and converted to these shapes.
 */
import type { Region } from '../config/types.js';

/** Statuses the schemas name; any other word is read as "not enrollable" rather than refused. */
export type ProgramStatus =
  | 'Draft'
  | 'Active'
  | 'Deactivated'
  | 'ReadOnly'
  | 'NotAvailableInThisVersion'
  | (string & NonNullable<unknown>);
export type EnrolmentStatus = 'NotAvailableInThisVersion' | 'Processing' | 'Finished';
export type ContactIdentifierKind = 'contactId' | 'email' | 'mobileNumber';

export interface AccountInfo {
  /** Base URL of the account's own region, as Dotdigital reports it (already validated). */
  apiEndpoint: string;
  region?: Region;
  properties: Record<string, string>;
}

export interface Program {
  id: number;
  /** The live-generated v2 schema allows a null name. */
  name: string | null;
  status: ProgramStatus;
  dateCreated: string;
}

export interface Enrolment {
  id: string;
  programId: number;
  status: EnrolmentStatus;
  dateCreated: string;
  contacts: number[] | null;
  addressBooks: number[] | null;
}

/** One page of an enrolment listing, with the time on Dotdigital's clock when it was answered. */
export interface EnrolmentPage {
  enrolments: Enrolment[];
  /**
   * The answer's `Date` header (ms since the epoch; whole seconds), undefined when it has none. The
   * listing's dates are on Dotdigital's clock, so comparing them with ours needs the two clocks' offset.
   */
  serverTime: number | undefined;
}

export interface EnrolmentFault {
  contactId: number;
  email: string;
  telephoneNumber: string;
  reason: string;
}

/** Channel/contact status words as Contacts v3 gives them (subscribed, unsubscribed, suppressed, …). */
export interface Contact {
  contactId: number;
  status: string;
  email?: string;
  mobileNumber?: string;
  emailStatus?: string;
  smsStatus?: string;
}

export interface ContactPage {
  contacts: Contact[];
  /** Marker for the next page; absent on the last page. */
  nextMarker?: string;
}

export interface AddressBook {
  id: number;
  name: string;
  visibility: string;
  contacts: number;
}

export interface ContactImportStatus {
  importId: string;
  status: 'NotStarted' | 'Started' | 'Finished' | string;
  created?: number;
  updated?: number;
  failures: { item: unknown; failureReason: string; contactId?: number }[];
}

/** Thrown for every non-2xx answer that is not retried (or whose retries ran out). */
export class DotdigitalApiError extends Error {
  constructor(
    readonly status: number,
    /** `ERROR_…` for v2, `contacts:…` for v3, or undefined when the body had none. */
    readonly code: string | undefined,
    readonly endpoint: string,
    message: string,
    /** From Retry-After / X-RateLimit-Reset when the answer carried one (e.g. an exhausted allowance). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DotdigitalApiError';
  }
}

export interface ClientStats {
  /** Calls per endpoint name (e.g. `POST /v2/programs/enrolments`), retries included. */
  callsByEndpoint: Record<string, number>;
  retries: number;
  rateLimitWaitMs: number;
}

export interface DotdigitalClient {
  readonly baseUrl: string;
  accountInfo(): Promise<AccountInfo>;
  listPrograms(): Promise<Program[]>;
  getProgram(id: number): Promise<Program>;
  /** Resolves with the accepted enrolment (201); rejects with DotdigitalApiError otherwise. */
  createEnrolment(request: {
    programId: number;
    contacts?: number[];
    addressBooks?: number[];
  }): Promise<Enrolment>;
  getEnrolment(id: string): Promise<Enrolment>;
  listEnrolmentsByStatus(
    status: EnrolmentStatus,
    page: { select: number; skip: number },
  ): Promise<EnrolmentPage>;
  /** Rejects with code ERROR_ENROLMENT_IS_PROCESSING while the enrolment is processing. */
  getEnrolmentFaults(id: string): Promise<EnrolmentFault[]>;
  /** Null when Dotdigital has no such contact (404 contacts:contactNotFound). */
  getContact(identifier: ContactIdentifierKind, value: string): Promise<Contact | null>;
  /** The account's contacts in pages; with `listId`, only that list's members (email or not). */
  listContacts(page: { limit: number; marker?: string; listId?: number }): Promise<ContactPage>;
  createAddressBook(name: string, visibility: 'Private' | 'Public'): Promise<AddressBook>;
  listAddressBooks(page: { select: number; skip: number }): Promise<AddressBook[]>;
  /** Renames a list (staging lists carry their phase in their name). */
  renameAddressBook(id: number, name: string): Promise<AddressBook>;
  deleteAddressBook(id: number): Promise<void>;
  listAddressBookContactIds(id: number, page: { select: number; skip: number }): Promise<number[]>;
  /** v3 bulk import matching on contactId into one list; resolves with the import id. */
  startContactImport(contactIds: number[], listId: number): Promise<string>;
  getContactImport(importId: string): Promise<ContactImportStatus>;
  stats(): ClientStats;
  close(): Promise<void>;
}
