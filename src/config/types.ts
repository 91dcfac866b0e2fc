/**
 * The validated, normalised configuration every other module receives. spec.json (snake_case, what
 * the user writes) is parsed into this shape by src/config/parse.ts; nothing else reads raw config.
 */
import type { ObjectStorage } from './object-storage.js';

export type Region = 'r1' | 'r2' | 'r3';
export type IdentifierKind = 'contactId' | 'email' | 'mobileNumber';
export type EnrolmentMode = 'auto' | 'contacts' | 'list';
export type ResolutionStrategy = 'auto' | 'lookup' | 'scan';

export interface IdentifierMapping {
  /** Record field holding each identifier; at least one is set. */
  fields: Partial<Record<IdentifierKind, string>>;
  /** Order in which identifiers decide which contact a record means; only kinds with a field. */
  precedence: IdentifierKind[];
  /** When the highest-precedence identifier present is invalid, try the next one instead of rejecting. */
  fallThroughOnInvalid: boolean;
}

export type RejectedRecordsSink = { type: 'none' } | { type: 'file'; path: string };

export interface ConnectorConfig {
  apiUser: string;
  password: string;
  region: 'auto' | Region;
  /** Overrides the regional base URL (proxies, the emulator). No trailing slash. */
  baseUrl?: string;
  programId?: number;
  mapping: IdentifierMapping;
  /** ISO 3166-1 alpha-2 country for mobile numbers without an international prefix. */
  defaultCountry?: string;
  enrolmentMode: EnrolmentMode;
  /** In `auto` mode, batches of at least this many contacts go through a staging list. */
  listModeThreshold: number;
  resolution: ResolutionStrategy;
  /** Enrol contacts whose status says they cannot receive the program (suppressed, unsubscribed…). */
  enrolUnreachableContacts: boolean;
  /** Longest wait for the hourly enrolment allowance before ending with a transient error. */
  maxAllowanceWaitSeconds: number;
  /** Longest time a state is held back waiting for an enrolment to finish processing. */
  maxStateHoldSeconds: number;
  /**
   * On start-up, contacts enrolled into the program by enrolments created this recently count as already
   * enrolled, so a re-run after a crash does not enrol them twice. 0 turns the check off.
   */
  recentEnrolmentLookbackHours: number;
  rejectedRecords: RejectedRecordsSink;
  /** Airbyte's `object_storage_config`: rejected records as objects in S3. */
  objectStorage: ObjectStorage;
  dryRun: boolean;
}
