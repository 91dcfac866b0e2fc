/**
 * Fixture format (JSON) and the built-in sample used when none is given. A fixture describes accounts,
 * their API users, programs with their rules, address books, explicit contacts and/or generated ones.
 */
import { readFile } from 'node:fs/promises';
import { generateContacts, type GenerateOptions } from './generate.js';
import type { Account, Region } from './state/account.js';
import { REGIONS } from './state/account.js';
import { ContactStore, type ContactInput } from './state/contacts.js';
import { DAY_MS, parseRule, PROGRAM_STATUSES, type Program, type ProgramStatus } from './state/programs.js';
import type { World } from './state/world.js';
import type { SettingsPatch } from './settings.js';

export interface FixtureProgram {
  id: number;
  name: string;
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
