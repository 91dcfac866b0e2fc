import { describe, expect, it } from 'vitest';
import { parseConfig, unknownConfigFields } from '../../src/config/parse.js';
import { ConfigError } from '../../src/protocol/errors.js';

const minimal = { api_user: 'apiuser-1@apiconnector.com', api_password: 'pw' };

function configError(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('parseConfig accepted the config');
}

describe('parseConfig', () => {
  it('fills every default from a minimal config', () => {
    expect(parseConfig(minimal)).toEqual({
      apiUser: 'apiuser-1@apiconnector.com',
      password: 'pw',
      region: 'auto',
      mapping: {
        fields: { contactId: 'contact_id', email: 'email', mobileNumber: 'mobile_number' },
        precedence: ['contactId', 'email', 'mobileNumber'],
        fallThroughOnInvalid: false,
      },
      enrolmentMode: 'auto',
      listModeThreshold: 1000,
      resolution: 'auto',
      enrolUnreachableContacts: false,
      maxAllowanceWaitSeconds: 600,
      maxStateHoldSeconds: 600,
      recentEnrolmentLookbackHours: 24,
      rejectedRecords: { type: 'none' },
      objectStorage: { type: 'none' },
      dryRun: false,
    });
  });

  it('converts a full config', () => {
    const config = parseConfig({
      ...minimal,
      region: 'r3',
      base_url: 'http://127.0.0.1:8080/r3///',
      program_id: 1001,
      identifier_mapping: {
        email_field: 'mail',
        mobile_number_field: 'phone',
        fall_through_on_invalid: true,
      },
      default_country: 'GB',
      enrolment_mode: 'list',
      list_mode_threshold: 50,
      resolution: 'scan',
      enrol_unreachable_contacts: true,
      max_allowance_wait_minutes: 0,
      max_state_hold_minutes: 14,
      recent_enrolment_lookback_hours: 0,
      rejected_records: { destination: 'local_file', path: '/local/rejected.jsonl' },
      dry_run: true,
      some_future_field: 'ignored',
    });
    expect(config).toMatchObject({
      region: 'r3',
      baseUrl: 'http://127.0.0.1:8080/r3',
      programId: 1001,
      mapping: { fields: { email: 'mail', mobileNumber: 'phone' }, precedence: ['email', 'mobileNumber'] },
      defaultCountry: 'GB',
      enrolmentMode: 'list',
      listModeThreshold: 50,
      resolution: 'scan',
      enrolUnreachableContacts: true,
      maxAllowanceWaitSeconds: 0,
      maxStateHoldSeconds: 840,
      recentEnrolmentLookbackHours: 0,
      rejectedRecords: { type: 'file', path: '/local/rejected.jsonl' },
      dryRun: true,
    });
    expect(config.mapping.fields.contactId).toBeUndefined();
    expect(config.mapping.fallThroughOnInvalid).toBe(true);
  });

  it('keeps an explicit precedence', () => {
    const config = parseConfig({
      ...minimal,
      identifier_mapping: { contact_id_field: 'id', email_field: 'e', precedence: ['email', 'contact_id'] },
    });
    expect(config.mapping.precedence).toEqual(['email', 'contactId']);
  });

  it.each([
    [{ api_password: 'pw' }, '"api_user" is missing', 'API user'],
    [{ ...minimal, api_password: '' }, '"api_password" must not be empty', 'password'],
    [{ ...minimal, region: 'eu' }, '"region" must be one of auto, r1, r2, r3', 'r1 (Europe)'],
    [
      { ...minimal, base_url: 'http://proxy.example.com' },
      '"base_url" does not have the expected form',
      'https',
    ],
    [{ ...minimal, base_url: 'https://u:p@x.com' }, '"base_url"', 'no user name, password'],
    [{ ...minimal, program_id: '1001' }, '"program_id" must be a whole number, not a string', 'Active'],
    [{ ...minimal, program_id: 1.5 }, '"program_id" must be a whole number, not a fraction', 'Active'],
    [{ ...minimal, identifier_mapping: {} }, '"identifier_mapping" sets none of the three', 'email_field'],
    [
      { ...minimal, identifier_mapping: { email_field: 'e', precedence: ['email', 'contact_id'] } },
      '"identifier_mapping.precedence" names contact_id, whose field is not set',
      'exactly once',
    ],
    [
      { ...minimal, identifier_mapping: { email_field: 'e', contact_id_field: 'c', precedence: ['email'] } },
      'leaves out contact_id, whose field is set',
      'exactly once',
    ],
    [
      { ...minimal, identifier_mapping: { email_field: 'e', precedence: ['email', 'email'] } },
      '"identifier_mapping.precedence" names email twice',
      'exactly once',
    ],
    [
      { ...minimal, default_country: 'gb' },
      '"default_country" is not one of the accepted values',
      'GB or US',
    ],
    [{ ...minimal, max_state_hold_minutes: 15 }, '"max_state_hold_minutes" must be at most 14', '0 to 14'],
    [
      { ...minimal, rejected_records: { destination: 'local_file' } },
      '"rejected_records.path" is missing',
      'absolute',
    ],
    [
      { ...minimal, rejected_records: { destination: 's3' } },
      '"rejected_records.destination"',
      'none or local_file',
    ],
    [[], 'The configuration must be an object', 'JSON object'],
  ])('rejects %j naming the field and what to put there', (raw, problem, hint) => {
    const error = configError(raw);
    expect(error.message).toContain(problem);
    expect(error.message).toContain(hint);
  });

  it.each([
    [
      { ...minimal, max_allowance_wait_minutes: 15 },
      '"max_allowance_wait_minutes" must be at most 14',
      '0 to 14',
    ],
    [
      { ...minimal, base_url: 'ftp://x.com' },
      '"base_url" does not have the expected form. Base URL override:',
      'It must look like https://host[:port][/path] (plain http only for localhost',
    ],
    [
      { ...minimal, identifier_mapping: { fall_through_on_invalid: false } },
      '"identifier_mapping" sets none of the three identifier fields',
      'contact_id_field, email_field, mobile_number_field',
    ],
    [
      { ...minimal, identifier_mapping: { email_field: 'e', precedence: ['phone'] } },
      '"identifier_mapping.precedence[0]" must be one of contact_id, email, mobile_number',
      'Precedence:',
    ],
    [{ ...minimal, rejected_records: {} }, '"rejected_records.destination" is missing', 'none (Do not keep)'],
    [
      { ...minimal, rejected_records: 'none' },
      '"rejected_records" must be an object, not a string',
      'Put none',
    ],
  ])('rejects %j with a message read from spec.json', (raw, problem, hint) => {
    const error = configError(raw);
    expect(error.message).toContain(problem);
    expect(error.message).toContain(hint);
  });

  it('reads a config the way the Airbyte form fills it in: field-name defaults, empty precedence', () => {
    const form = parseConfig({
      ...minimal,
      identifier_mapping: {
        contact_id_field: 'contact_id',
        email_field: 'email',
        mobile_number_field: 'mobile_number',
        precedence: [],
        fall_through_on_invalid: false,
      },
      rejected_records: { destination: 'none' },
    });
    expect(form).toEqual(parseConfig(minimal));
  });

  it('leaves an identifier whose field the form cleared out of the mapping', () => {
    const config = parseConfig({
      ...minimal,
      identifier_mapping: { contact_id_field: 'contact_id', mobile_number_field: 'phone' },
    });
    expect(config.mapping).toEqual({
      fields: { contactId: 'contact_id', mobileNumber: 'phone' },
      precedence: ['contactId', 'mobileNumber'],
      fallThroughOnInvalid: false,
    });
  });

  it('never puts the password in its messages', () => {
    const error = configError({ api_user: 42, api_password: 'hunter2-secret', region: 'hunter2-secret' });
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.internalMessage).not.toContain('hunter2-secret');
  });

  it('reports several problems at once', () => {
    const error = configError({ api_user: '', api_password: 'pw', list_mode_threshold: 0 });
    expect(error.message).toContain('"api_user"');
    expect(error.message).toContain('"list_mode_threshold" must be at least 1');
  });
});

describe('unknownConfigFields', () => {
  it('names fields the spec does not define, at the top level and in the identifier mapping', () => {
    expect(
      unknownConfigFields({
        ...minimal,
        programid: 1001,
        identifier_mapping: { email_field: 'e', emial_field: 'x' },
      }),
    ).toEqual(['programid', 'identifier_mapping.emial_field']);
  });

  it('names none in a config that only uses known fields', () => {
    expect(
      unknownConfigFields({ ...minimal, dry_run: true, identifier_mapping: { email_field: 'e' } }),
    ).toEqual([]);
    expect(unknownConfigFields(null)).toEqual([]);
  });
});
