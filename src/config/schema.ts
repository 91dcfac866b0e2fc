import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { BASE_URL_REGEX } from './base-url.js';

/**
 * The raw (snake_case) configuration as spec.json describes it. The two are written by hand and kept
 * in agreement by test/config/spec-agreement.test.ts, which feeds both the same generated configs.
 */
export const IDENTIFIER_NAMES = ['contact_id', 'email', 'mobile_number'] as const;
export type IdentifierName = (typeof IDENTIFIER_NAMES)[number];

export const IDENTIFIER_FIELD_KEYS = {
  contact_id: 'contact_id_field',
  email: 'email_field',
  mobile_number: 'mobile_number_field',
} as const satisfies Record<IdentifierName, string>;

const countries = [...getCountries()].sort() as [string, ...string[]];

const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max);

const identifierMapping = z
  .object({
    contact_id_field: z.string().min(1).optional(),
    email_field: z.string().min(1).optional(),
    mobile_number_field: z.string().min(1).optional(),
    precedence: z
      .array(z.enum(IDENTIFIER_NAMES))
      .min(1)
      .refine((list) => new Set(list).size === list.length, { message: 'names an identifier twice' })
      .optional(),
    fall_through_on_invalid: z.boolean().default(false),
  })
  .superRefine((mapping, ctx) => {
    const set = IDENTIFIER_NAMES.filter((name) => mapping[IDENTIFIER_FIELD_KEYS[name]] !== undefined);
    if (set.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'sets none of the three identifier fields', path: [] });
      return;
    }
    if (!mapping.precedence) return;
    const named = new Set(mapping.precedence);
    const unset = mapping.precedence.filter((name) => !set.includes(name));
    const missing = set.filter((name) => !named.has(name));
    if (unset.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['precedence'],
        message: `names ${unset.join(', ')}, whose field is not set`,
      });
    }
    if (missing.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['precedence'],
        message: `leaves out ${missing.join(', ')}, whose field is set`,
      });
    }
  });

const rejectedRecords = z.discriminatedUnion('destination', [
  z.object({ destination: z.literal('none') }),
  z.object({ destination: z.literal('local_file'), path: z.string().regex(/^\//) }),
]);

export const rawConfigSchema = z.object({
  api_user: z.string().regex(/\S/),
  api_password: z.string().min(1),
  region: z.enum(['auto', 'r1', 'r2', 'r3']).default('auto'),
  base_url: z.string().regex(BASE_URL_REGEX).optional(),
  program_id: wholeNumber(1, 2147483647).optional(),
  identifier_mapping: identifierMapping.optional(),
  default_country: z.enum(countries).optional(),
  enrolment_mode: z.enum(['auto', 'contacts', 'list']).default('auto'),
  list_mode_threshold: wholeNumber(1, 10_000_000).default(1000),
  resolution: z.enum(['auto', 'lookup', 'scan']).default('auto'),
  enrol_unreachable_contacts: z.boolean().default(false),
  max_allowance_wait_minutes: wholeNumber(0, 1440).default(10),
  max_state_hold_minutes: wholeNumber(0, 14).default(10),
  recent_enrolment_lookback_hours: wholeNumber(0, 720).default(24),
  rejected_records: rejectedRecords.default({ destination: 'none' }),
  object_storage_config: z.unknown().optional(), // parsed by object-storage.ts
  dry_run: z.boolean().default(false),
});

export type RawConfig = z.infer<typeof rawConfigSchema>;
