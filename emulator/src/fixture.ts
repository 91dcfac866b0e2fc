/**
 * Fixture format (JSON) and the built-in sample used when none is given. A fixture describes accounts,
 * their API users, programs with their rules, address books, explicit contacts and/or generated ones.
 */
import { readFile } from 'node:fs/promises';
import { generateContacts, type GenerateOptions } from './generate.js';
import type { Account, Region } from './state/account.js';
import { REGIONS } from './state/account.js';
import { ContactStore, type ContactInput } from './state/contacts.js';
import { createRng, seededUuid } from './rng.js';
import type { Enrolment } from './state/account.js';
import {
  DAY_MS,
  parseRule,
  PROGRAM_STATUSES,
  recordEnrolment,
  type Program,
  type ProgramStatus,
} from './state/programs.js';
import type { World } from './state/world.js';
import type { SettingsPatch } from './settings.js';

export interface FixtureProgram {
  id: number;
  /** Null is allowed, as in the live-generated v2 schema. */
  name: string | null;
  status: ProgramStatus;
  dateCreated?: string;
  rule?: unknown;
  /** Days a contact stays inside the journey after enrolment (default 0). */
  journeyDays?: number;
}

export interface FixtureContact extends Omit<ContactInput, 'created'> {
  created?: string;
}

export interface FixtureAccount {
  id: number;
  name?: string;
  region: Region;
  apiUsers: { username: string; password: string; programsPermission?: boolean }[];
  programs?: FixtureProgram[];
  contacts?: FixtureContact[];
  generateContacts?: { count: number; firstId?: number; seed?: number; emailDomain?: string };
  addressBooks?: { id: number; name: string; visibility?: 'Private' | 'Public'; contacts?: number[] }[];
  /** Finished enrolments made before the emulator started (other integrations' history). */
  pastEnrolments?: PastEnrolments;
}

/**
 * `count` Finished enrolments spread over the last `withinDays` days (none in the last hour, so the
 * allowance starts unspent), across `programIds` (default every program) and `apiUsers` (default every
 * API user of the account), each naming `contactsPerEnrolment` (default 25) random contacts, who count as
 * enrolled for the program rules.
 */
export interface PastEnrolments {
  count: number;
  programIds?: number[];
  apiUsers?: string[];
  contactsPerEnrolment?: number;
  withinDays?: number;
  seed?: number;
}

export interface Fixture {
  seed?: number;
  settings?: SettingsPatch;
  accounts: FixtureAccount[];
}

export const SAMPLE = {
  apiUser: 'apiuser-sample@apiconnector.com',
  password: 'Emul4tor-Sample-Pass',
  region: 'r2' as Region,
  noProgramsApiUser: 'apiuser-noprograms@apiconnector.com',
  noProgramsPassword: 'Emul4tor-NoPrograms-Pass',
  otherRegionApiUser: 'apiuser-r1@apiconnector.com',
  otherRegionPassword: 'Emul4tor-R1-Pass',
  firstContactId: 100001,
  contacts: 3000,
};

export function sampleFixture(options: { contacts?: number; seed?: number } = {}): Fixture {
  const seed = options.seed ?? 7;
  return {
    seed,
    accounts: [
      {
        id: 1,
        name: 'Sample account',
        region: SAMPLE.region,
        apiUsers: [
          { username: SAMPLE.apiUser, password: SAMPLE.password, programsPermission: true },
          {
            username: SAMPLE.noProgramsApiUser,
            password: SAMPLE.noProgramsPassword,
            programsPermission: false,
          },
        ],
        programs: [
          {
            id: 1001,
            name: 'Welcome journey',
            status: 'Active',
            rule: { kind: 'firstTimeOnly' },
            journeyDays: 7,
          },
          {
            id: 1002,
            name: 'Every-time journey',
            status: 'Active',
            rule: { kind: 'everyTime' },
            journeyDays: 0,
          },
          {
            id: 1003,
            name: 'Draft journey',
            status: 'Draft',
            rule: { kind: 'firstTimeOnly' },
            journeyDays: 7,
          },
          { id: 1004, name: 'Deactivated journey', status: 'Deactivated', rule: { kind: 'everyTime' } },
          { id: 1005, name: 'Read-only journey', status: 'ReadOnly', rule: { kind: 'everyTime' } },
        ],
        generateContacts: {
          count: options.contacts ?? SAMPLE.contacts,
          firstId: SAMPLE.firstContactId,
          seed,
        },
      },
      {
        id: 2,
        name: 'Other account',
        region: 'r1',
        apiUsers: [
          {
            username: SAMPLE.otherRegionApiUser,
            password: SAMPLE.otherRegionPassword,
            programsPermission: true,
          },
        ],
        programs: [{ id: 2001, name: 'Other welcome', status: 'Active', rule: { kind: 'everyTime' } }],
        generateContacts: { count: 50, firstId: 900001, seed },
      },
    ],
  };
}

export async function readFixture(path: string): Promise<Fixture> {
  return JSON.parse(await readFile(path, 'utf8')) as Fixture;
}

const PROGRAM_EPOCH = Date.UTC(2024, 0, 15, 9, 0, 0);

export function loadFixture(world: World, fixture: Fixture): void {
  if (!Array.isArray(fixture.accounts) || fixture.accounts.length === 0) {
    throw new RangeError('fixture: accounts must list at least one account');
  }
  const seed = fixture.seed ?? 7;
  for (const spec of fixture.accounts) world.addAccount(buildAccount(spec, seed, world.clock.now()));
}

function buildAccount(spec: FixtureAccount, seed: number, now: number): Account {
  if (!Number.isInteger(spec.id)) throw new RangeError('fixture: every account needs an integer id');
  if (!REGIONS.includes(spec.region)) {
    throw new RangeError(`fixture: account ${spec.id}: region must be r1, r2 or r3`);
  }
  if (!Array.isArray(spec.apiUsers) || spec.apiUsers.length === 0) {
    throw new RangeError(`fixture: account ${spec.id}: apiUsers must list at least one API user`);
  }
  const account: Account = {
    id: spec.id,
    name: spec.name ?? `Account ${spec.id}`,
    region: spec.region,
    users: [],
    contacts: new ContactStore(seed),
    programs: new Map(),
    addressBooks: new Map(),
    nextAddressBookId: 1,
    enrolments: new Map(),
    enrolmentOrder: [],
    allowanceLog: [],
    imports: new Map(),
  };
  for (const u of spec.apiUsers) {
    account.users.push({
      username: u.username,
      password: u.password,
      account,
      programsPermission: u.programsPermission ?? true,
    });
  }
  (spec.programs ?? []).forEach((p, i) => account.programs.set(p.id, buildProgram(p, i)));
  loadContacts(account.contacts, spec, seed, now);
  if (spec.pastEnrolments) seedPastEnrolments(account, spec.pastEnrolments, seed, now);
  let maxBook = 0;
  for (const b of spec.addressBooks ?? []) {
    const members = new Set<number>();
    for (const id of b.contacts ?? []) {
      if (account.contacts.indexOfId(id) < 0)
        throw new RangeError(`fixture: address book ${b.id}: no contact ${id}`);
      members.add(id);
    }
    account.addressBooks.set(b.id, {
      id: b.id,
      name: b.name,
      visibility: b.visibility ?? 'Private',
      members,
    });
    maxBook = Math.max(maxBook, b.id);
  }
  // Address book ids are account-wide counters in Dotdigital; start well clear of program/contact ids.
  account.nextAddressBookId = Math.max(5001, maxBook + 1);
  return account;
}

function buildProgram(p: FixtureProgram, position: number): Program {
  if (!PROGRAM_STATUSES.includes(p.status))
    throw new RangeError(`fixture: program ${p.id}: bad status ${p.status}`);
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    dateCreated: p.dateCreated ? Date.parse(p.dateCreated) : PROGRAM_EPOCH + position * DAY_MS,
    rule: p.rule === undefined ? { kind: 'everyTime' } : parseRule(p.rule),
    journeyMs: (p.journeyDays ?? 0) * DAY_MS,
    history: new Map(),
  };
}

function seedPastEnrolments(account: Account, spec: PastEnrolments, seed: number, now: number): void {
  const programIds = spec.programIds ?? [...account.programs.keys()];
  const users = spec.apiUsers ?? account.users.map((u) => u.username);
  if (programIds.length === 0 || users.length === 0 || account.contacts.size === 0) {
    throw new RangeError(
      `fixture: account ${account.id}: pastEnrolments needs programs, API users and contacts`,
    );
  }
  const rng = createRng((spec.seed ?? seed) ^ 0xe7201);
  const perCall = spec.contactsPerEnrolment ?? 25;
  const span = (spec.withinDays ?? 30) * DAY_MS - 3_600_000;
  const times = Array.from({ length: spec.count }, () => now - 3_600_000 - Math.floor(rng() * span)).sort(
    (a, b) => a - b,
  );
  times.forEach((at, i) => {
    const program = account.programs.get(programIds[i % programIds.length]!);
    if (!program)
      throw new RangeError(`fixture: pastEnrolments: no program ${programIds[i % programIds.length]}`);
    const contacts = new Set<number>();
    while (contacts.size < Math.min(perCall, account.contacts.size)) {
      contacts.add(account.contacts.idAt(Math.floor(rng() * account.contacts.size)));
    }
    const enrolment: Enrolment = {
      id: seededUuid(rng),
      programId: program.id,
      status: 'Finished',
      dateCreated: at,
      contacts: [...contacts],
      addressBooks: [],
      apiUser: users[i % users.length]!,
      finishedAt: at,
      enrolled: [...contacts],
      faults: [],
      stuck: false,
    };
    for (const id of contacts) recordEnrolment(program, id, at);
    account.enrolments.set(enrolment.id, enrolment);
    account.enrolmentOrder.push(enrolment);
  });
}

/** Explicit contacts and generated ones, merged in ascending id order as the store requires. */
function loadContacts(store: ContactStore, spec: FixtureAccount, seed: number, now: number): void {
  const explicit: ContactInput[] = (spec.contacts ?? [])
    .map((c) => ({ ...c, created: c.created ? Date.parse(c.created) : undefined }))
    .sort((a, b) => a.contactId - b.contactId);
  const gen = spec.generateContacts;
  if (!gen || gen.count <= 0) {
    for (const c of explicit) store.add(c, now);
    return;
  }
  const options: GenerateOptions = {
    count: gen.count,
    firstId: gen.firstId ?? 1,
    seed: gen.seed ?? seed,
    emailDomain: gen.emailDomain,
  };
  const lastGenerated = options.firstId + options.count - 1;
  const before = explicit.filter((c) => c.contactId < options.firstId);
  const after = explicit.filter((c) => c.contactId > lastGenerated);
  if (before.length + after.length !== explicit.length) {
    throw new RangeError(
      `fixture: explicit contact ids overlap the generated range ${options.firstId}-${lastGenerated}`,
    );
  }
  for (const c of before) store.add(c, now);
  generateContacts(store, options, now);
  for (const c of after) store.add(c, now);
}
