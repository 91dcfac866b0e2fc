/**
 * A small, explicit fixture for the emulator tests: every contact a test relies on is named here with the
 * status it needs, so a test reads its audience from this file rather than from generator patterns.
 */
import type { Fixture } from '../../src/fixture.js';

export const MAIN = { apiUser: 'main-user@test.example', password: 'main-Pass-1', region: 'r2' as const };
export const NO_PROGRAMS = { apiUser: 'no-programs@test.example', password: 'np-Pass-2' };
export const OTHER = {
  apiUser: 'other-account@test.example',
  password: 'other-Pass-3',
  region: 'r1' as const,
};

export const PROGRAM = {
  firstTimeOnly: 1001,
  everyTime: 1002,
  draft: 1003,
  deactivated: 1004,
  readOnly: 1005,
  unlessWithin30Days: 1006,
  everyTimeJourney3Days: 1007,
  firstTimeOnlyNoJourney: 1008,
} as const;

/** Subscribed contacts 1..60 with an email; odd ones also have a mobile number. */
export const SUBSCRIBED_IDS = Array.from({ length: 60 }, (_, i) => i + 1);
export const CONTACT = {
  unsubscribed: 101,
  hardBounced: 102,
  suppressed: 103,
  /** One person, two contacts: this one holds the email… */
  personEmail: 110,
  /** …and this one the mobile number. */
  personMobile: 111,
  mobileOnly: 112,
} as const;
export const PERSON_EMAIL = 'pat.person@test.example';
export const PERSON_MOBILE = '447700900111';
export const GENERATED_FIRST_ID = 10_001;
export const GENERATED_COUNT = 1_200;
export const SEED_BOOK = { id: 7001, members: [1, 2, 3, 4, 5] };
export const SECOND_BOOK = { id: 7002, members: [6, 7, 8] };

export function emailOf(id: number): string {
  return `contact${id}@test.example`;
}

export function mobileOf(id: number): string {
  return `4477009${String(id).padStart(5, '0')}`;
}

export function testFixture(): Fixture {
  return {
    seed: 11,
    accounts: [
      {
        id: 1,
        name: 'Emulator test account',
        region: MAIN.region,
        apiUsers: [
          { username: MAIN.apiUser, password: MAIN.password, programsPermission: true },
          { username: NO_PROGRAMS.apiUser, password: NO_PROGRAMS.password, programsPermission: false },
        ],
        programs: [
          { id: 1001, name: 'Welcome', status: 'Active', rule: { kind: 'firstTimeOnly' }, journeyDays: 7 },
          { id: 1002, name: 'Every time', status: 'Active', rule: { kind: 'everyTime' }, journeyDays: 0 },
          { id: 1003, name: 'Draft', status: 'Draft', rule: { kind: 'everyTime' } },
          { id: 1004, name: 'Deactivated', status: 'Deactivated', rule: { kind: 'everyTime' } },
          { id: 1005, name: 'Read only', status: 'ReadOnly', rule: { kind: 'everyTime' } },
          {
            id: 1006,
            name: 'Unless within 30 days',
            status: 'Active',
            rule: { kind: 'unlessEnrolledWithinDays', days: 30 },
            journeyDays: 0,
          },
          {
            id: 1007,
            name: 'Three-day journey',
            status: 'Active',
            rule: { kind: 'everyTime' },
            journeyDays: 3,
          },
          { id: 1008, name: 'First time, no journey', status: 'Active', rule: { kind: 'firstTimeOnly' } },
        ],
        contacts: [
          ...SUBSCRIBED_IDS.map((id) => ({
            contactId: id,
            email: emailOf(id),
            ...(id % 2 === 1 ? { mobileNumber: mobileOf(id) } : {}),
          })),
          {
            contactId: CONTACT.unsubscribed,
            email: emailOf(CONTACT.unsubscribed),
            status: 'unsubscribed' as const,
            emailStatus: 'unsubscribed' as const,
          },
          {
            contactId: CONTACT.hardBounced,
            email: emailOf(CONTACT.hardBounced),
            status: 'suppressed' as const,
            emailStatus: 'hardBounced' as const,
          },
          {
            contactId: CONTACT.suppressed,
            email: emailOf(CONTACT.suppressed),
            mobileNumber: mobileOf(CONTACT.suppressed),
            status: 'suppressed' as const,
            emailStatus: 'suppressed' as const,
            smsStatus: 'suppressed' as const,
          },
          { contactId: CONTACT.personEmail, email: PERSON_EMAIL },
          { contactId: CONTACT.personMobile, mobileNumber: PERSON_MOBILE },
          { contactId: CONTACT.mobileOnly, mobileNumber: mobileOf(CONTACT.mobileOnly) },
        ],
        generateContacts: { count: GENERATED_COUNT, firstId: GENERATED_FIRST_ID, seed: 11 },
        addressBooks: [
          { id: SEED_BOOK.id, name: 'Seed list', contacts: SEED_BOOK.members },
          { id: SECOND_BOOK.id, name: 'Second list', visibility: 'Public', contacts: SECOND_BOOK.members },
        ],
      },
      {
        id: 2,
        name: 'Other region account',
        region: OTHER.region,
        apiUsers: [{ username: OTHER.apiUser, password: OTHER.password }],
        programs: [{ id: 2001, name: 'Other', status: 'Active', rule: { kind: 'everyTime' } }],
        contacts: [{ contactId: 1, email: 'other1@test.example' }],
      },
    ],
  };
}
