/**
 * Generated from spec.json by `npm run generate:config-types`: do not edit, change spec.json and run it.
 *
 * The raw configuration once src/config/parse.ts has validated it against spec.json and filled in the
 * defaults of the top-level settings (nested defaults are what Airbyte's form pre-fills, so a nested
 * field left out stays out).
 */

export interface RawConfig {
  /** API user */
  api_user: string;
  /** API password */
  api_password: string;
  /** Region */
  region: 'auto' | 'r1' | 'r2' | 'r3';
  /** Program ID */
  program_id?: number;
  /** Identifier mapping */
  identifier_mapping?: {
    /** Contact ID field */
    contact_id_field?: string;
    /** Email field */
    email_field?: string;
    /** Mobile number field */
    mobile_number_field?: string;
    /** Precedence */
    precedence?: Array<'contact_id' | 'email' | 'mobile_number'>;
    /** Fall through on invalid identifier */
    fall_through_on_invalid?: boolean;
  };
  /** Default country */
  default_country?:
    | 'AC'
    | 'AD'
    | 'AE'
    | 'AF'
    | 'AG'
    | 'AI'
    | 'AL'
    | 'AM'
    | 'AO'
    | 'AR'
    | 'AS'
    | 'AT'
    | 'AU'
    | 'AW'
    | 'AX'
    | 'AZ'
    | 'BA'
    | 'BB'
    | 'BD'
    | 'BE'
    | 'BF'
    | 'BG'
    | 'BH'
    | 'BI'
    | 'BJ'
    | 'BL'
    | 'BM'
    | 'BN'
    | 'BO'
    | 'BQ'
    | 'BR'
    | 'BS'
    | 'BT'
    | 'BW'
    | 'BY'
    | 'BZ'
    | 'CA'
    | 'CC'
    | 'CD'
    | 'CF'
    | 'CG'
    | 'CH'
    | 'CI'
    | 'CK'
    | 'CL'
    | 'CM'
    | 'CN'
    | 'CO'
    | 'CR'
    | 'CU'
    | 'CV'
    | 'CW'
    | 'CX'
    | 'CY'
    | 'CZ'
    | 'DE'
    | 'DJ'
    | 'DK'
    | 'DM'
    | 'DO'
    | 'DZ'
    | 'EC'
    | 'EE'
    | 'EG'
    | 'EH'
    | 'ER'
    | 'ES'
    | 'ET'
    | 'FI'
    | 'FJ'
    | 'FK'
    | 'FM'
    | 'FO'
    | 'FR'
    | 'GA'
    | 'GB'
    | 'GD'
    | 'GE'
    | 'GF'
    | 'GG'
    | 'GH'
    | 'GI'
    | 'GL'
    | 'GM'
    | 'GN'
    | 'GP'
    | 'GQ'
    | 'GR'
    | 'GT'
    | 'GU'
    | 'GW'
    | 'GY'
    | 'HK'
    | 'HN'
    | 'HR'
    | 'HT'
    | 'HU'
    | 'ID'
    | 'IE'
    | 'IL'
    | 'IM'
    | 'IN'
    | 'IO'
    | 'IQ'
    | 'IR'
    | 'IS'
    | 'IT'
    | 'JE'
    | 'JM'
    | 'JO'
    | 'JP'
    | 'KE'
    | 'KG'
    | 'KH'
    | 'KI'
    | 'KM'
    | 'KN'
    | 'KP'
    | 'KR'
    | 'KW'
    | 'KY'
    | 'KZ'
    | 'LA'
    | 'LB'
    | 'LC'
    | 'LI'
    | 'LK'
    | 'LR'
    | 'LS'
    | 'LT'
    | 'LU'
    | 'LV'
    | 'LY'
    | 'MA'
    | 'MC'
    | 'MD'
    | 'ME'
    | 'MF'
    | 'MG'
    | 'MH'
    | 'MK'
    | 'ML'
    | 'MM'
    | 'MN'
    | 'MO'
    | 'MP'
    | 'MQ'
    | 'MR'
    | 'MS'
    | 'MT'
    | 'MU'
    | 'MV'
    | 'MW'
    | 'MX'
    | 'MY'
    | 'MZ'
    | 'NA'
    | 'NC'
    | 'NE'
    | 'NF'
    | 'NG'
    | 'NI'
    | 'NL'
    | 'NO'
    | 'NP'
    | 'NR'
    | 'NU'
    | 'NZ'
    | 'OM'
    | 'PA'
    | 'PE'
    | 'PF'
    | 'PG'
    | 'PH'
    | 'PK'
    | 'PL'
    | 'PM'
    | 'PR'
    | 'PS'
    | 'PT'
    | 'PW'
    | 'PY'
    | 'QA'
    | 'RE'
    | 'RO'
    | 'RS'
    | 'RU'
    | 'RW'
    | 'SA'
    | 'SB'
    | 'SC'
    | 'SD'
    | 'SE'
    | 'SG'
    | 'SH'
    | 'SI'
    | 'SJ'
    | 'SK'
    | 'SL'
    | 'SM'
    | 'SN'
    | 'SO'
    | 'SR'
    | 'SS'
    | 'ST'
    | 'SV'
    | 'SX'
    | 'SY'
    | 'SZ'
    | 'TA'
    | 'TC'
    | 'TD'
    | 'TG'
    | 'TH'
    | 'TJ'
    | 'TK'
    | 'TL'
    | 'TM'
    | 'TN'
    | 'TO'
    | 'TR'
    | 'TT'
    | 'TV'
    | 'TW'
    | 'TZ'
    | 'UA'
    | 'UG'
    | 'US'
    | 'UY'
    | 'UZ'
    | 'VA'
    | 'VC'
    | 'VE'
    | 'VG'
    | 'VI'
    | 'VN'
    | 'VU'
    | 'WF'
    | 'WS'
    | 'XK'
    | 'YE'
    | 'YT'
    | 'ZA'
    | 'ZM'
    | 'ZW';
  /** Enrol unreachable contacts */
  enrol_unreachable_contacts: boolean;
  /** Rejected records */
  rejected_records:
    | {
        destination: 'none';
      }
    | {
        destination: 'local_file';
        /** File path */
        path: string;
      };
  /** Object Storage Configuration */
  object_storage_config?:
    | {
        storage_type: 'None';
      }
    | {
        storage_type: 'S3';
        /** Access Key ID */
        access_key_id?: string;
        /** Secret Access Key */
        secret_access_key?: string;
        /** Role ARN */
        role_arn?: string;
        /** S3 Bucket Name */
        s3_bucket_name: string;
        /** S3 Bucket Region */
        s3_bucket_region:
          | ''
          | 'af-south-1'
          | 'ap-east-1'
          | 'ap-northeast-1'
          | 'ap-northeast-2'
          | 'ap-northeast-3'
          | 'ap-south-1'
          | 'ap-south-2'
          | 'ap-southeast-1'
          | 'ap-southeast-2'
          | 'ap-southeast-3'
          | 'ap-southeast-4'
          | 'ca-central-1'
          | 'ca-west-1'
          | 'cn-north-1'
          | 'cn-northwest-1'
          | 'eu-central-1'
          | 'eu-central-2'
          | 'eu-north-1'
          | 'eu-south-1'
          | 'eu-south-2'
          | 'eu-west-1'
          | 'eu-west-2'
          | 'eu-west-3'
          | 'il-central-1'
          | 'me-central-1'
          | 'me-south-1'
          | 'sa-east-1'
          | 'us-east-1'
          | 'us-east-2'
          | 'us-gov-east-1'
          | 'us-gov-west-1'
          | 'us-west-1'
          | 'us-west-2';
        /** S3 Endpoint */
        s3_endpoint?: string;
        /** Prefix Path in the Bucket */
        bucket_path: string;
      };
  /** Dry run */
  dry_run: boolean;
  /** Base URL override */
  base_url?: string;
  /** Enrolment mode */
  enrolment_mode: 'auto' | 'contacts' | 'list';
  /** List mode threshold */
  list_mode_threshold: number;
  /** Contact resolution */
  resolution: 'auto' | 'lookup' | 'scan';
  /** Longest wait for the enrolment allowance (minutes) */
  max_allowance_wait_minutes: number;
  /** Longest checkpoint hold (minutes) */
  max_state_hold_minutes: number;
  /** Recent enrolment lookback (hours) */
  recent_enrolment_lookback_hours: number;
}
