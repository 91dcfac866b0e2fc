/** One Dotdigital account: its region, API users and everything it owns. */
import type { ContactStore } from './contacts.js';
import type { Program } from './programs.js';

export type Region = 'r1' | 'r2' | 'r3';
export const REGIONS: readonly Region[] = ['r1', 'r2', 'r3'];

export interface ApiUser {
  username: string;
  password: string;
  account: Account;
  /** Without it every /v2/programs* call answers 403. */
  programsPermission: boolean;
}

export interface AddressBook {
  id: number;
  name: string;
  visibility: 'Private' | 'Public';
  members: Set<number>;
  /** Members in ascending id, rebuilt lazily after a change (paging calls read it repeatedly). */
  sorted?: number[];
}

export interface Enrolment {
  id: string;
  programId: number;
  status: 'Processing' | 'Finished';
  dateCreated: number;
  contacts: number[];
  addressBooks: number[];
  apiUser: string;
  finishedAt?: number;
  /** Contacts actually enrolled when processing finished. */
  enrolled: number[];
  faults: { contactId: number; reason: string }[];
  /** Processing time came while `processingNeverFinishes` was on. */
  stuck: boolean;
}

export interface ImportItemFailure {
  contactId?: number;
  matchIdentifier: string;
  identifiers: Record<string, unknown>;
  failures: { failureCode: string; description: string }[];
}

export interface ContactImport {
  id: string;
  status: 'NotFinished' | 'Finished' | 'Failed' | 'RejectedByWatchdog' | 'ExceedsAllowedContactLimit';
  createdAt: number;
  items: unknown[];
  stuck: boolean;
  result?: {
    created: { contactId: number; identifiers: Record<string, string> }[];
    updated: { contactId: number; identifiers: Record<string, string> }[];
    failures: ImportItemFailure[];
    duplicateIdentifiers: number;
    invalidEntries: number;
    globallySuppressed: number;
  };
}

export interface Account {
  id: number;
  name: string;
  region: Region;
  users: ApiUser[];
  contacts: ContactStore;
  programs: Map<number, Program>;
  addressBooks: Map<number, AddressBook>;
  nextAddressBookId: number;
  enrolments: Map<string, Enrolment>;
  /** Enrolments in creation order (listing order). */
  enrolmentOrder: Enrolment[];
  /** Emulated times of accepted enrolment calls, for the rolling-hour allowance. */
  allowanceLog: number[];
  imports: Map<string, ContactImport>;
}
