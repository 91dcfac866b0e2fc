/**
 * What to put in each config field, appended to every validation error so the message says how to fix
 * it, not only what is wrong. Keyed by the dotted path of the field in the raw config.
 */
export const FIELD_HINTS: Record<string, string> = {
  '': 'The configuration must be a JSON object with at least api_user and api_password.',
  api_user:
    'Put the name of a Dotdigital API user (Settings > Access > API users), e.g. apiuser-1a2b3c@apiconnector.com.',
  api_password: "Put that API user's password.",
  region: 'Put auto (recommended), r1 (Europe), r2 (North America) or r3 (Asia Pacific).',
  base_url:
    'Leave it out to call Dotdigital directly, or put an https URL such as https://proxy.example.com ' +
    '(plain http only for localhost, 127.x.x.x or [::1]; no user name, password, query or fragment).',
  program_id:
    'Put the ID of an Active Dotdigital program (a whole number such as 1001), or leave it out and pick the ' +
    'program through the destination object (discover).',
  identifier_mapping:
    'Set at least one of contact_id_field, email_field and mobile_number_field to the name of the record field ' +
    'holding that identifier, or leave identifier_mapping out to use contact_id, email and mobile_number.',
  'identifier_mapping.contact_id_field':
    'Put the name of the record field holding the Dotdigital contact ID.',
  'identifier_mapping.email_field': 'Put the name of the record field holding the email address.',
  'identifier_mapping.mobile_number_field': 'Put the name of the record field holding the mobile number.',
  'identifier_mapping.precedence':
    'List each identifier whose field is set exactly once, most trusted first, using contact_id, email and ' +
    'mobile_number; or leave precedence out for that default order.',
  'identifier_mapping.fall_through_on_invalid': 'Put true or false.',
  default_country: 'Put an ISO 3166-1 alpha-2 country code in capitals, such as GB or US, or leave it out.',
  enrolment_mode: 'Put auto (recommended), contacts or list.',
  list_mode_threshold: 'Put a whole number of contacts from 1 to 10000000 (default 1000).',
  resolution: 'Put auto (recommended), lookup or scan.',
  enrol_unreachable_contacts: 'Put true or false.',
  max_allowance_wait_minutes: 'Put a whole number of minutes from 0 (never wait) to 1440.',
  max_state_hold_minutes: 'Put a whole number of minutes from 0 to 14.',
  recent_enrolment_lookback_hours: 'Put a whole number of hours from 0 (off) to 720.',
  rejected_records:
    'Put {"destination": "none"}, or {"destination": "local_file", "path": "/local/rejected.jsonl"} with an ' +
    'absolute path.',
  'rejected_records.destination': 'Put none or local_file.',
  'rejected_records.path': 'Put an absolute file path, such as /local/rejected.jsonl.',
  dry_run: 'Put true or false.',
};

/** The hint of the nearest field on the path that has one (array items use their array's hint). */
export function hintFor(path: readonly PropertyKey[]): string {
  for (let end = path.length; end >= 0; end -= 1) {
    const key = path
      .slice(0, end)
      .filter((part) => typeof part === 'string')
      .join('.');
    const hint = FIELD_HINTS[key];
    if (hint) return hint;
  }
  return FIELD_HINTS['']!;
}
