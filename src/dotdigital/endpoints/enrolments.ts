/**
 * Program enrolments: create (POST /v2/programs/enrolments), follow one, list by status, and read the fault
 * report of a finished one.
 */
import { z } from 'zod';
import { SystemError } from '../../protocol/errors.js';
import type { ApiCaller } from '../caller.js';
import { parseCsvRecords } from '../csv.js';
import { AmbiguousEnrolmentError, type EnrolmentRequest } from '../errors.js';
import { serverTimeOf } from '../http.js';
import type { Enrolment, EnrolmentFault, EnrolmentPage, EnrolmentStatus } from '../types.js';
import { v2PageQuery } from '../paging.js';
import { parseResponse } from '../validate.js';

const idList = z.array(z.number().int()).nullish();

export const enrolmentSchema = z.object({
  id: z.string().min(1),
  programId: z.number().int(),
  status: z.enum(['NotAvailableInThisVersion', 'Processing', 'Finished']),
  dateCreated: z.string(),
  contacts: idList,
  addressBooks: idList,
});

function toEnrolment(raw: z.output<typeof enrolmentSchema>): Enrolment {
  return {
    id: raw.id,
    programId: raw.programId,
    status: raw.status,
    dateCreated: raw.dateCreated,
    contacts: raw.contacts ?? null,
    addressBooks: raw.addressBooks ?? null,
  };
}

/**
 * Not idempotent: each accepted call enrols the contacts and spends one unit of the hourly allowance, so a call
 * that may have reached Dotdigital is never repeated here (AmbiguousEnrolmentError); 429 and
 * ERROR_APIUSAGE_EXCEEDED are still retried because Dotdigital refuses those before doing any work.
 */
export async function createEnrolment(caller: ApiCaller, request: EnrolmentRequest): Promise<Enrolment> {
  const body: Record<string, unknown> = { programId: request.programId };
  if (request.contacts !== undefined) body.contacts = request.contacts;
  if (request.addressBooks !== undefined) body.addressBooks = request.addressBooks;
  const response = await caller.call({
    method: 'POST',
    route: '/v2/programs/enrolments',
    json: body,
    idempotent: false,
    onAmbiguous: (reason, cause) => new AmbiguousEnrolmentError({ ...request }, reason, { cause }),
  });
  const accepted = parseResponse(acceptedSchema, response, 'POST /v2/programs/enrolments', { v2: true });
  const full = enrolmentSchema.safeParse(accepted);
  if (full.success) return toEnrolment(full.data);
  // Accepted: only the id matters from here on (the connector follows it), so the rest is filled in.
  return {
    id: accepted.id,
    programId: request.programId,
    status: 'Processing',
    dateCreated: new Date(caller.now()).toISOString(),
    contacts: null,
    addressBooks: null,
  };
}

/** What an accepted enrolment call must answer: its id. The rest is read when it is well formed. */
const acceptedSchema = z.object({ id: z.string().min(1) }).passthrough();

export async function getEnrolment(caller: ApiCaller, id: string): Promise<Enrolment> {
  const response = await caller.call({
    method: 'GET',
    route: '/v2/programs/enrolments/{enrolmentId}',
    pathParams: { enrolmentId: id },
  });
  return toEnrolment(
    parseResponse(enrolmentSchema, response, 'GET /v2/programs/enrolments/{enrolmentId}', { v2: true }),
  );
}

export async function listEnrolmentsByStatus(
  caller: ApiCaller,
  status: EnrolmentStatus,
  page: { select: number; skip: number },
): Promise<EnrolmentPage> {
  const response = await caller.call({
    method: 'GET',
    route: '/v2/programs/enrolments/{status}',
    pathParams: { status },
    query: v2PageQuery(page),
  });
  const list = parseResponse(z.array(enrolmentSchema), response, 'GET /v2/programs/enrolments/{status}', {
    v2: true,
  });
  return { enrolments: list.map(toEnrolment), serverTime: serverTimeOf(response) };
}

const FAULTS_ENDPOINT = 'GET /v2/programs/enrolments/{id}/report-faults';

/** Reads the CSV fault report (Id,Email,TelephoneNumber,Reason); columns are found by name, in any case. */
export function parseFaultReport(text: string): EnrolmentFault[] {
  let parsed: ReturnType<typeof parseCsvRecords>;
  try {
    parsed = parseCsvRecords(text);
  } catch (error) {
    throw new SystemError(
      `Dotdigital's fault report (${FAULTS_ENDPOINT}) could not be read as CSV; the API may have changed. Report this to the connector's maintainers.`,
      `${FAULTS_ENDPOINT}: ${(error as Error).message}`,
    );
  }
  if (parsed.header.length === 0) return [];
  const column = (name: string): string | undefined =>
    parsed.header.find((h) => h.toLowerCase() === name.toLowerCase());
  const idColumn = column('Id') ?? column('ContactId');
  const reasonColumn = column('Reason');
  if (idColumn === undefined || reasonColumn === undefined) {
    throw new SystemError(
      `Dotdigital's fault report (${FAULTS_ENDPOINT}) does not have the expected Id and Reason columns; the API may have changed. Report this to the connector's maintainers.`,
      `${FAULTS_ENDPOINT}: header was ${JSON.stringify(parsed.header)}`,
    );
  }
  const emailColumn = column('Email');
  const phoneColumn = column('TelephoneNumber') ?? column('MobileNumber');
  return parsed.records.map((record, index) => {
    const rawId = (record[idColumn] ?? '').trim();
    const contactId = Number(rawId);
    if (!/^\d+$/.test(rawId) || !Number.isSafeInteger(contactId)) {
      throw new SystemError(
        `Dotdigital's fault report (${FAULTS_ENDPOINT}) has a row without a valid contact ID; the API may have changed. Report this to the connector's maintainers.`,
        `${FAULTS_ENDPOINT}: row ${index + 2} has Id ${JSON.stringify(rawId.slice(0, 40))}`,
      );
    }
    return {
      contactId,
      email: emailColumn === undefined ? '' : (record[emailColumn] ?? '').trim(),
      telephoneNumber: phoneColumn === undefined ? '' : (record[phoneColumn] ?? '').trim(),
      reason: (record[reasonColumn] ?? '').trim(),
    };
  });
}

export async function getEnrolmentFaults(caller: ApiCaller, id: string): Promise<EnrolmentFault[]> {
  const response = await caller.call({
    method: 'GET',
    route: '/v2/programs/enrolments/{id}/report-faults',
    pathParams: { id },
  });
  return parseFaultReport(response.text);
}
