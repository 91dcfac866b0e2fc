/**
 * The emulator's control and inspection surface. `EmulatorControl` is used in-process by tests;
 * `handleControlRequest` exposes the same operations over HTTP under /_emulator/ (no auth: the
 * emulator is a local test tool and the real service has no such prefix).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http/body.js';
import type { FaultInjector } from './faults.js';
import type { RateLimiter } from './rate-limit.js';
import type { LoggedRequest, RequestLog } from './request-log.js';
import { ENDPOINTS } from './router.js';
import {
  applyFaultsPatch,
  applySettingsPatch,
  defaultFaults,
  type EmulatorSettings,
  type FaultSettings,
  type SettingsPatch,
} from './settings.js';
import type { Account } from './state/account.js';
import { sortedMembers } from './state/address-books.js';
import type { ContactStatus, EmailStatus, SmsStatus } from './state/contacts.js';
import { allowanceUsed, releaseStuckEnrolments } from './state/enrolments.js';
import { importJson, releaseStuckImports } from './state/imports.js';
import { DAY_MS, parseRule, PROGRAM_STATUSES, programJson, type ProgramStatus } from './state/programs.js';
import type { World } from './state/world.js';

export interface ClockState {
  timeScale: number;
  now: string;
  nowMs: number;
}

export interface ContactEnrolmentState {
  contactId: number;
  count: number;
  enrolledAt: string[];
}

export interface EnrolmentCall {
  id: string;
  programId: number;
  status: string;
  dateCreated: string;
  finishedAt?: string;
  apiUser: string;
  contacts: number[];
  addressBooks: number[];
  enrolled: number[];
  faults: { contactId: number; reason: string }[];
}

export interface ProgramPatch {
  name?: string | null;
  status?: ProgramStatus;
  rule?: unknown;
  journeyDays?: number;
}

export interface ContactPatch {
  status?: ContactStatus;
  emailStatus?: EmailStatus;
  smsStatus?: SmsStatus;
}

export class EmulatorControl {
  constructor(
    private readonly world: World,
    private readonly limiter: RateLimiter,
    private readonly faultInjector: FaultInjector,
    private readonly log: RequestLog,
  ) {}

  settings(): EmulatorSettings {
    return structuredClone(this.world.settings);
  }

  updateSettings(patch: SettingsPatch): EmulatorSettings {
    const wasStuck = this.world.settings.faults.processingNeverFinishes;
    applySettingsPatch(this.world.settings, patch);
    this.afterFaultChange(wasStuck);
    if (patch.requestLogSize !== undefined) this.log.clear(patch.requestLogSize);
    return this.settings();
  }

  faults(): FaultSettings {
    return structuredClone(this.world.settings.faults);
  }

  setFaults(patch: Partial<FaultSettings>): FaultSettings {
    const wasStuck = this.world.settings.faults.processingNeverFinishes;
    applyFaultsPatch(this.world.settings.faults, patch);
    if (patch.seed !== undefined) this.faultInjector.reseed();
    this.afterFaultChange(wasStuck);
    return this.faults();
  }

  resetFaults(): FaultSettings {
    return this.setFaults(defaultFaults());
  }

  clock(): ClockState {
    const nowMs = this.world.clock.now();
    return { timeScale: this.world.clock.timeScale, now: new Date(nowMs).toISOString(), nowMs };
  }

  setClock(patch: { timeScale?: number; advanceMs?: number }): ClockState {
    if (patch.timeScale !== undefined) this.world.clock.setTimeScale(patch.timeScale);
    if (patch.advanceMs !== undefined) this.world.clock.advance(patch.advanceMs);
    return this.clock();
  }

  /** Per contact: how many times and when it was enrolled into the program. */
  enrolmentState(
    programId: number,
    accountId?: number,
  ): { programId: number; contacts: ContactEnrolmentState[] } {
    const program = this.world.account(accountId).programs.get(programId);
    if (!program) throw new RangeError(`no program ${programId}`);
    const contacts = [...program.history.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([contactId, times]) => ({
        contactId,
        count: times.length,
        enrolledAt: times.map((t) => new Date(t).toISOString()),
      }));
    return { programId, contacts };
  }

  /** Accepted enrolment calls, oldest first. */
  enrolmentCalls(accountId?: number): EnrolmentCall[] {
    return this.world.account(accountId).enrolmentOrder.map((e) => {
      const call: EnrolmentCall = {
        id: e.id,
        programId: e.programId,
        status: e.status,
        dateCreated: new Date(e.dateCreated).toISOString(),
        apiUser: e.apiUser,
        contacts: e.contacts,
        addressBooks: e.addressBooks,
        enrolled: e.enrolled,
        faults: e.faults,
      };
      if (e.finishedAt !== undefined) call.finishedAt = new Date(e.finishedAt).toISOString();
      return call;
    });
  }

  allowance(accountId?: number): { used: number; limit: number } {
    const account = this.world.account(accountId);
    return { used: allowanceUsed(this.world, account), limit: this.world.settings.enrolmentAllowancePerHour };
  }

  resetAllowance(accountId?: number): void {
    this.world.account(accountId).allowanceLog.length = 0;
  }

  resetRateLimits(): void {
    this.limiter.reset();
  }

  requests(limit?: number): LoggedRequest[] {
    return this.log.recent(limit);
  }

  counters(): ReturnType<RequestLog['counts']> {
    return this.log.counts();
  }

  /** CPU milliseconds the emulator spent answering API calls since the requests were cleared. */
  servingCpuMs(): number {
    return this.log.servingCpuMs();
  }

  clearRequests(): void {
    this.log.clear();
  }

  addressBooks(accountId?: number): { id: number; name: string; visibility: string; contacts: number[] }[] {
    return [...this.world.account(accountId).addressBooks.values()]
      .sort((a, b) => a.id - b.id)
      .map((b) => ({
        id: b.id,
        name: b.name,
        visibility: b.visibility,
        contacts: [...sortedMembers(b)],
      }));
  }

  imports(accountId?: number): Record<string, unknown>[] {
    return [...this.world.account(accountId).imports.values()].map(importJson);
  }

  accounts(): {
    id: number;
    name: string;
    region: string;
    apiUsers: { username: string; programsPermission: boolean }[];
  }[] {
    return this.world.accounts.map((a) => ({
      id: a.id,
      name: a.name,
      region: a.region,
      apiUsers: a.users.map((u) => ({ username: u.username, programsPermission: u.programsPermission })),
    }));
  }

  updateContact(contactId: number, patch: ContactPatch, accountId?: number): Record<string, unknown> {
    const account = this.world.account(accountId);
    const index = account.contacts.indexOfId(contactId);
    if (index < 0) throw new RangeError(`no contact ${contactId}`);
    account.contacts.setStatuses(index, patch, this.world.clock.now());
    const v = account.contacts.view(index);
    return { contactId, status: v.status, emailStatus: v.emailStatus, smsStatus: v.smsStatus };
  }

  updateProgram(programId: number, patch: ProgramPatch, accountId?: number): Record<string, unknown> {
    const program = this.findProgram(this.world.account(accountId), programId);
    if (patch.status !== undefined && !PROGRAM_STATUSES.includes(patch.status)) {
      throw new RangeError(`status must be one of ${PROGRAM_STATUSES.join(', ')}`);
    }
    const rule = patch.rule === undefined ? undefined : parseRule(patch.rule);
    if (patch.journeyDays !== undefined && !(patch.journeyDays >= 0))
      throw new RangeError('journeyDays must be ≥ 0');
    if (patch.name !== undefined) program.name = patch.name;
    if (patch.status !== undefined) program.status = patch.status;
    if (rule) program.rule = rule;
    if (patch.journeyDays !== undefined) program.journeyMs = patch.journeyDays * DAY_MS;
    return { ...programJson(program), rule: program.rule, journeyDays: program.journeyMs / DAY_MS };
  }

  private findProgram(account: Account, programId: number) {
    const program = account.programs.get(programId);
    if (!program) throw new RangeError(`no program ${programId}`);
    return program;
  }

  private afterFaultChange(wasStuck: boolean): void {
    if (wasStuck && !this.world.settings.faults.processingNeverFinishes) {
      releaseStuckEnrolments(this.world);
      releaseStuckImports(this.world);
    }
  }
}

function accountParam(query: URLSearchParams): number | undefined {
  const raw = query.get('account');
  return raw === null ? undefined : Number(raw);
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req, 1024 * 1024);
  if (text.trim() === '') return {};
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new RangeError('body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Answers a /_emulator/… request; `path` has the region prefix and query string removed. */
export async function handleControlRequest(
  control: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const send = (status: number, value: unknown) => {
    const body = value === undefined ? '' : JSON.stringify(value);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const method = req.method ?? 'GET';
  const s = path.replace(/\/+$/, '').split('/').slice(2);
  const key = `${method} ${s[0] ?? ''}${s.length > 1 ? '/*' : ''}`;
  const account = accountParam(query);
  try {
    switch (key) {
      case 'GET health':
        return send(200, { ok: true });
      case 'GET endpoints':
        return send(200, ENDPOINTS);
      case 'GET accounts':
        return send(200, control.accounts());
      case 'GET settings':
        return send(200, control.settings());
      case 'PUT settings':
        return send(200, control.updateSettings((await jsonBody(req)) as SettingsPatch));
      case 'GET faults':
        return send(200, control.faults());
      case 'PUT faults':
        return send(200, control.setFaults((await jsonBody(req)) as Partial<FaultSettings>));
      case 'DELETE faults':
        return send(200, control.resetFaults());
      case 'GET clock':
        return send(200, control.clock());
      case 'PUT clock':
        return send(
          200,
          control.setClock((await jsonBody(req)) as { timeScale?: number; advanceMs?: number }),
        );
      case 'GET state/*':
        if (s[1] === 'enrolments')
          return send(200, control.enrolmentState(Number(query.get('programId')), account));
        break;
      case 'GET enrolment-calls':
        return send(200, control.enrolmentCalls(account));
      case 'GET allowance':
        return send(200, control.allowance(account));
      case 'POST reset-allowance':
        control.resetAllowance(account);
        return send(200, control.allowance(account));
      case 'POST reset-rate-limits':
        control.resetRateLimits();
        return send(200, { ok: true });
      case 'GET requests':
        return send(200, control.requests(query.has('limit') ? Number(query.get('limit')) : undefined));
      case 'DELETE requests':
        control.clearRequests();
        return send(200, { ok: true });
      case 'GET counters':
        return send(200, control.counters());
      case 'GET address-books':
        return send(200, control.addressBooks(account));
      case 'GET imports':
        return send(200, control.imports(account));
      case 'PUT contacts/*':
        return send(200, control.updateContact(Number(s[1]), (await jsonBody(req)) as ContactPatch, account));
      case 'PUT programs/*':
        return send(200, control.updateProgram(Number(s[1]), (await jsonBody(req)) as ProgramPatch, account));
    }
    send(404, { error: `no control endpoint ${method} ${path}` });
  } catch (err) {
    send(400, { error: (err as Error).message });
  }
}
