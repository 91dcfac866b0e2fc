/**
 * Program enrolments: validation of POST /v2/programs/enrolments, the rolling-hour allowance, and the
 * asynchronous processing that applies suppression and program rules and writes the fault report.
 */
import { formatV2Date } from '../http/dates.js';
import { V2Failure } from '../http/errors.js';
import type { EmulatorSettings } from '../settings.js';
import type { Account, ApiUser, Enrolment } from './account.js';
import { sortedMembers } from './address-books.js';
import type { EnrolmentAnswerMembers } from '../settings.js';
import type { ContactView } from './contacts.js';
import { recordEnrolment, ruleRefusal } from './programs.js';
import type { World } from './world.js';

/** Fault-report reason for a contact whose status keeps it out of programs. */
export function suppressionReason(contact: ContactView): string | undefined {
  switch (contact.status) {
    case 'subscribed':
      return undefined;
    case 'unsubscribed':
      return 'Unsubscribed';
    case 'pendingOptIn':
      return 'PendingOptIn';
    case 'suppressed':
      if (contact.emailStatus === 'hardBounced') return 'HardBounced';
      if (contact.emailStatus === 'ispComplained') return 'IspComplained';
      if (contact.emailStatus === 'directComplaint') return 'DirectComplaint';
      return 'Suppressed';
    case 'deleted':
    case 'binned':
      return 'Deleted';
    case 'noSubscription':
      return 'NoSubscription';
  }
}

interface EnrolmentRequest {
  programId: number;
  contacts: number[];
  addressBooks: number[];
}

/** Accepts camelCase and PascalCase property names, as the .NET service does. */
function parseRequest(body: unknown): EnrolmentRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  const lower = new Map<string, unknown>();
  for (const [k, v] of Object.entries(body)) lower.set(k.toLowerCase(), v);
  const programId = lower.get('programid');
  if (typeof programId !== 'number' || !Number.isInteger(programId))
    throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  return {
    programId,
    contacts: intArray(lower.get('contacts')),
    addressBooks: intArray(lower.get('addressbooks')),
  };
}

function intArray(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  }
  return value as number[];
}

function pruneAllowance(world: World, account: Account): void {
  const cutoff = world.clock.now() - world.settings.enrolmentAllowanceWindowMs;
  while (account.allowanceLog.length > 0 && account.allowanceLog[0]! <= cutoff) account.allowanceLog.shift();
}

export function allowanceUsed(world: World, account: Account): number {
  pruneAllowance(world, account);
  return account.allowanceLog.length;
}

export function createEnrolment(world: World, user: ApiUser, body: unknown): Enrolment {
  const { settings } = world;
  const account = user.account;
  const request = parseRequest(body);
  const program = account.programs.get(request.programId);
  if (!program) throw new V2Failure(404, 'ERROR_PROGRAM_NOT_FOUND');
  if (program.status !== 'Active') throw new V2Failure(422, 'ERROR_PROGRAM_NOT_ACTIVE');
  const { contacts, addressBooks } = request;
  if (contacts.length === 0 && addressBooks.length === 0) throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  if (contacts.length > 0 && addressBooks.length > 0 && !settings.allowContactsAndAddressBooks) {
    throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  }
  if (contacts.length > settings.maxContactsPerEnrolment) throw new V2Failure(400, 'ERROR_ENROLMENT_INVALID');
  if (addressBooks.length > settings.maxAddressBooksPerEnrolment)
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_TOOMANY');
  if (addressBooks.some((id) => !account.addressBooks.has(id)))
    throw new V2Failure(400, 'ERROR_ADDRESSBOOK_NOT_FOUND');
  for (const id of contacts) {
    const index = account.contacts.indexOfId(id);
    if (index < 0) throw new V2Failure(400, 'ERROR_CONTACT_NOT_FOUND');
    const contact = account.contacts.view(index);
    if (
      (settings.unreachableContactsFailCall && suppressionReason(contact)) ||
      settings.statusesFailingEnrolmentCall.includes(contact.status)
    ) {
      throw new V2Failure(400, 'ERROR_CONTACT_SUPPRESSED');
    }
  }
  // Checked last so that a call rejected for any other reason does not spend the allowance.
  pruneAllowance(world, account);
  if (account.allowanceLog.length >= settings.enrolmentAllowancePerHour) {
    const headers: Record<string, string> = {};
    if (settings.allowanceRetryAfter) {
      const freesAt = account.allowanceLog[0]! + settings.enrolmentAllowanceWindowMs;
      const realSeconds = Math.max(1, Math.ceil(world.clock.toRealMs(freesAt - world.clock.now()) / 1000));
      headers['Retry-After'] = String(realSeconds);
    }
    throw new V2Failure(400, 'ERROR_ENROLMENT_ALLOWANCE_EXCEEDED', headers);
  }
  const now = world.clock.now();
  account.allowanceLog.push(now);
  const enrolment: Enrolment = {
    id: world.newId(),
    programId: program.id,
    status: 'Processing',
    dateCreated: now,
    contacts: [...contacts],
    addressBooks: [...addressBooks],
    apiUser: user.username,
    enrolled: [],
    faults: [],
    stuck: false,
  };
  account.enrolments.set(enrolment.id, enrolment);
  account.enrolmentOrder.push(enrolment);
  scheduleEnrolment(world, account, enrolment);
  return enrolment;
}

export function scheduleEnrolment(world: World, account: Account, enrolment: Enrolment): void {
  world.clock.schedule(world.settings.enrolmentProcessingMs, () =>
    finishEnrolment(world, account, enrolment),
  );
}

function finishEnrolment(world: World, account: Account, enrolment: Enrolment): void {
  if (enrolment.status === 'Finished') return;
  if (world.settings.faults.processingNeverFinishes) {
    enrolment.stuck = true;
    return;
  }
  enrolment.stuck = false;
  const now = world.clock.now();
  const program = account.programs.get(enrolment.programId);
  const targets = new Set<number>(enrolment.contacts);
  for (const bookId of enrolment.addressBooks) {
    const book = account.addressBooks.get(bookId);
    if (!book) continue;
    for (const id of sortedMembers(book)) targets.add(id);
  }
  for (const contactId of targets) {
    const index = account.contacts.indexOfId(contactId);
    if (index < 0) continue;
    const contact = account.contacts.view(index);
    const reason =
      suppressionReason(contact) ?? (program ? ruleRefusal(program, contactId, now) : 'ProgramNotFound');
    if (reason) {
      enrolment.faults.push({ contactId, reason: world.settings.faultReasonWords[reason] ?? reason });
    } else if (program) {
      recordEnrolment(program, contactId, now);
      enrolment.enrolled.push(contactId);
    }
  }
  enrolment.status = 'Finished';
  enrolment.finishedAt = now;
}

/** Re-arms processing of enrolments that came due while `processingNeverFinishes` was on. */
export function releaseStuckEnrolments(world: World): void {
  for (const account of world.accounts) {
    for (const enrolment of account.enrolmentOrder) {
      if (enrolment.stuck) scheduleEnrolment(world, account, enrolment);
    }
  }
}

/** One enrolment as every answer gives it; `members` says what `contacts`/`addressBooks` hold. */
export function enrolmentJson(
  enrolment: Enrolment,
  members: EnrolmentAnswerMembers,
  settings: Pick<EmulatorSettings, 'dateFormat'> = { dateFormat: 'iso' },
): Record<string, unknown> {
  const listed = members === 'listed';
  const empty = members === 'empty' ? [] : null;
  return {
    id: enrolment.id,
    programId: enrolment.programId,
    status: enrolment.status,
    dateCreated: formatV2Date(enrolment.dateCreated, settings),
    contacts: listed ? [...enrolment.contacts] : empty,
    addressBooks: listed ? [...enrolment.addressBooks] : empty,
  };
}

export function faultReportCsv(account: Account, enrolment: Enrolment): string {
  const lines = ['Id,Email,TelephoneNumber,Reason'];
  for (const fault of enrolment.faults) {
    const index = account.contacts.indexOfId(fault.contactId);
    const contact = index >= 0 ? account.contacts.view(index) : undefined;
    const phone = contact?.mobileNumber ? `+${contact.mobileNumber}` : '';
    lines.push([String(fault.contactId), contact?.email ?? '', phone, fault.reason].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
