/**
 * Programs and the enrolment rules Dotdigital's program builder offers: enrol a contact only the first
 * time, every time, or unless enrolled within the last N days. Independently of the rule, a contact
 * still inside the journey (enrolled less than `journeyMs` ago) is not enrolled again.
 */
import { formatV2Date } from '../http/dates.js';
import type { EmulatorSettings } from '../settings.js';

/** The live-generated v2 schema also allows NotAvailableInThisVersion (v2-api.openapi.json, ApiProgramStatus). */
export type ProgramStatus = 'Draft' | 'Active' | 'Deactivated' | 'ReadOnly' | 'NotAvailableInThisVersion';
export const PROGRAM_STATUSES: readonly ProgramStatus[] = [
  'Draft',
  'Active',
  'Deactivated',
  'ReadOnly',
  'NotAvailableInThisVersion',
];

export type EnrolmentRule =
  { kind: 'firstTimeOnly' } | { kind: 'everyTime' } | { kind: 'unlessEnrolledWithinDays'; days: number };

export interface Program {
  id: number;
  /** Null is allowed by the live-generated v2 schema (ApiProgram.name is nullable). */
  name: string | null;
  status: ProgramStatus;
  dateCreated: number;
  rule: EnrolmentRule;
  /** How long a contact stays inside the journey after being enrolled (emulated ms). */
  journeyMs: number;
  /** contactId → emulated times at which the contact was enrolled, oldest first. */
  history: Map<number, number[]>;
}

export const DAY_MS = 86_400_000;

/** Fault-report reasons produced by the rules (suppression reasons live in enrolments.ts). */
export const RULE_REASONS = {
  insideJourney: 'AlreadyInProgram',
  firstTimeOnly: 'PreviouslyEnrolled',
  withinDays: 'RecentlyEnrolled',
} as const;

export function ruleRefusal(program: Program, contactId: number, now: number): string | undefined {
  const times = program.history.get(contactId);
  if (!times || times.length === 0) return undefined;
  const last = times[times.length - 1]!;
  if (now < last + program.journeyMs) return RULE_REASONS.insideJourney;
  switch (program.rule.kind) {
    case 'firstTimeOnly':
      return RULE_REASONS.firstTimeOnly;
    case 'everyTime':
      return undefined;
    case 'unlessEnrolledWithinDays':
      return now < last + program.rule.days * DAY_MS ? RULE_REASONS.withinDays : undefined;
  }
}

export function recordEnrolment(program: Program, contactId: number, now: number): void {
  const times = program.history.get(contactId);
  if (times) times.push(now);
  else program.history.set(contactId, [now]);
}

export function parseRule(raw: unknown): EnrolmentRule {
  const r = raw as { kind?: unknown; days?: unknown } | null;
  if (r && r.kind === 'firstTimeOnly') return { kind: 'firstTimeOnly' };
  if (r && r.kind === 'everyTime') return { kind: 'everyTime' };
  if (r && r.kind === 'unlessEnrolledWithinDays' && typeof r.days === 'number' && r.days >= 0) {
    return { kind: 'unlessEnrolledWithinDays', days: r.days };
  }
  throw new RangeError(
    'rule must be {"kind":"firstTimeOnly"}, {"kind":"everyTime"} or {"kind":"unlessEnrolledWithinDays","days":N}',
  );
}

export function programJson(
  program: Program,
  settings: Pick<EmulatorSettings, 'dateFormat'> = { dateFormat: 'iso' },
): {
  id: number;
  name: string | null;
  status: ProgramStatus;
  dateCreated: string;
} {
  return {
    id: program.id,
    name: program.name,
    status: program.status,
    dateCreated: formatV2Date(program.dateCreated, settings),
  };
}
