/**
 * Every behaviour where Dotdigital's documentation is silent or uncertain is a setting here, with the
 * default the emulator assumes. emulator/README.md lists them; keep the two in step.
 */
export type RateLimitTier = 'Low' | 'Medium' | 'High' | 'Unlimited';
export type RateLimitMode = 'tiered' | 'legacy' | 'off';
export const ENROLMENT_ANSWER_MEMBERS = ['null', 'empty', 'listed'] as const;
export type EnrolmentAnswerMembers = (typeof ENROLMENT_ANSWER_MEMBERS)[number];

export interface FaultSettings {
  /** Share (0..1) of API calls answered with a 5xx before they are processed. */
  errorRate: number;
  /** Status used for injected server errors. */
  errorStatus: number;
  /** Share of API calls answered 429 (as if the tier limit were hit) before they are processed. */
  rateLimitRate: number;
  /** Share of API calls whose connection is reset before any processing (the request is lost). */
  dropRate: number;
  /** Share of API calls that are processed but whose connection is reset mid-response. */
  dropMidResponseRate: number;
  /** Added to every API call, in real milliseconds. */
  latencyMs: number;
  /** Share of API calls that get `latencySpikeMs` more. */
  latencySpikeRate: number;
  latencySpikeMs: number;
  /** Enrolments and imports stay Processing/NotFinished until this is switched off again. */
  processingNeverFinishes: boolean;
  /** Restricts the random faults to these endpoints (e.g. "POST /v2/programs/enrolments"); empty = all. */
  endpoints: string[];
  /** Seed of the generator that decides which calls get a fault. */
  seed: number;
  /**
   * Faults for the next matching calls, consumed in order, before the random ones are considered.
   * kind: 'status' answers `status`; 'drop' resets before processing; 'dropMidResponse' after.
   */
  queue: QueuedFault[];
}

export interface QueuedFault {
  kind: 'status' | 'drop' | 'dropMidResponse';
  status?: number;
  endpoint?: string;
}

export interface EmulatorSettings {
  /** Emulated milliseconds an enrolment stays Processing. */
  enrolmentProcessingMs: number;
  /** Emulated milliseconds a v3 import stays NotFinished. */
  importProcessingMs: number;
  maxContactsPerEnrolment: number;
  maxAddressBooksPerEnrolment: number;
  /** Whether one enrolment call may name both contacts and address books. */
  allowContactsAndAddressBooks: boolean;
  /** Accepted enrolment calls per account per rolling hour, across programs. */
  enrolmentAllowancePerHour: number;
  /** Emulated window of the enrolment allowance. */
  enrolmentAllowanceWindowMs: number;
  /** Send Retry-After (seconds until a slot frees up) with ERROR_ENROLMENT_ALLOWANCE_EXCEEDED. */
  allowanceRetryAfter: boolean;
  /** When true a suppressed/unsubscribed contact fails the whole call (400 ERROR_CONTACT_SUPPRESSED) instead of appearing in the fault report. */
  unreachableContactsFailCall: boolean;
  /**
   * What enrolment answers (the POST's 201, GET by id, the status listings) say in `contacts` and
   * `addressBooks`: `null` as the published 201 example shows, `empty` arrays (the SDK's types allow
   * them), or the `listed` ids of the request.
   */
  enrolmentAnswerMembers: EnrolmentAnswerMembers;
  maxActiveImports: number;
  maxImportBodyBytes: number;
  maxAddressBooks: number;
  rateLimitMode: RateLimitMode;
  /** Calls per emulated minute per account and tier. */
  rateLimits: Record<Exclude<RateLimitTier, 'Unlimited'>, number>;
  /** 'seconds' = X-RateLimit-Reset is seconds until the window resets; 'epoch' = Unix time of the reset. */
  rateLimitResetFormat: 'seconds' | 'epoch';
  sendRetryAfter: boolean;
  /** Flat limit per account per emulated hour in legacy mode (400 ERROR_APIUSAGE_EXCEEDED past it). */
  legacyLimitPerHour: number;
  /** Default page size of GET /contacts/v3 when `limit` is absent. */
  defaultContactsPageLimit: number;
  requestLogSize: number;
  faults: FaultSettings;
}

export function defaultFaults(): FaultSettings {
  return {
    errorRate: 0,
    errorStatus: 503,
    rateLimitRate: 0,
    dropRate: 0,
    dropMidResponseRate: 0,
    latencyMs: 0,
    latencySpikeRate: 0,
    latencySpikeMs: 2000,
    processingNeverFinishes: false,
    endpoints: [],
    seed: 1,
    queue: [],
  };
}

export function defaultSettings(): EmulatorSettings {
  return {
    enrolmentProcessingMs: 2000,
    importProcessingMs: 2000,
    maxContactsPerEnrolment: 25,
    maxAddressBooksPerEnrolment: 10,
    allowContactsAndAddressBooks: false,
    enrolmentAllowancePerHour: 20,
    enrolmentAllowanceWindowMs: 3_600_000,
    allowanceRetryAfter: true,
    unreachableContactsFailCall: false,
    enrolmentAnswerMembers: 'null',
    maxActiveImports: 25,
    maxImportBodyBytes: 50 * 1024 * 1024,
    maxAddressBooks: 10_000,
    rateLimitMode: 'tiered',
    rateLimits: { Low: 120, Medium: 600, High: 3000 },
    rateLimitResetFormat: 'seconds',
    sendRetryAfter: true,
    legacyLimitPerHour: 2000,
    defaultContactsPageLimit: 20,
    requestLogSize: 1000,
    faults: defaultFaults(),
  };
}

export type SettingsPatch = Partial<Omit<EmulatorSettings, 'faults' | 'rateLimits'>> & {
  faults?: Partial<FaultSettings>;
  rateLimits?: Partial<EmulatorSettings['rateLimits']>;
};

export function applySettingsPatch(settings: EmulatorSettings, patch: SettingsPatch): void {
  const { faults, rateLimits, ...rest } = patch;
  for (const [key, value] of Object.entries(rest)) {
    if (!(key in settings)) throw new RangeError(`unknown setting: ${key}`);
    const current = (settings as unknown as Record<string, unknown>)[key];
    if (typeof current !== typeof value) throw new RangeError(`setting ${key} must be a ${typeof current}`);
    if (
      key === 'enrolmentAnswerMembers' &&
      !ENROLMENT_ANSWER_MEMBERS.includes(value as EnrolmentAnswerMembers)
    )
      throw new RangeError(`setting ${key} must be one of ${ENROLMENT_ANSWER_MEMBERS.join(', ')}`);
    (settings as unknown as Record<string, unknown>)[key] = value;
  }
  if (rateLimits) Object.assign(settings.rateLimits, rateLimits);
  if (faults) applyFaultsPatch(settings.faults, faults);
}

export function applyFaultsPatch(faults: FaultSettings, patch: Partial<FaultSettings>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in faults)) throw new RangeError(`unknown fault setting: ${key}`);
    const current = (faults as unknown as Record<string, unknown>)[key];
    if (Array.isArray(current) ? !Array.isArray(value) : typeof current !== typeof value) {
      throw new RangeError(`fault setting ${key} has the wrong type`);
    }
    (faults as unknown as Record<string, unknown>)[key] = value;
  }
}
