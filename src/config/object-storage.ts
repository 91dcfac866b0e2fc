/**
 * `object_storage_config`: where rejected records go on Airbyte, in the shape of Airbyte's data-activation
 * destinations (the bulk CDK's ObjectStorageSpec: `storage_type` "None" or "S3"). The platform reads the
 * same object to link the job's rejected records (`s3_bucket_name`, `s3_bucket_region`, `bucket_path`), so
 * the property names are theirs, not ours.
 */
import { z } from 'zod';
import { ConfigError } from '../protocol/errors.js';

export const OBJECT_STORAGE_FIELD = 'object_storage_config';

export interface S3ObjectStorage {
  type: 's3';
  bucket: string;
  /** Empty when the form's "no region" choice is kept: the SDK then signs for us-east-1. */
  region: string;
  /** Prefix of every object, without leading or trailing slashes; may be empty. */
  bucketPath: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Accepted as the form sends it, refused by usableS3(): this connector cannot assume a role. */
  roleArn?: string;
}

export type ObjectStorage = { type: 'none' } | S3ObjectStorage;

/** The regions the form offers (the CDK's S3BucketRegion); "" is its "no region" default. */
export const S3_BUCKET_REGIONS = [
  '',
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
] as const;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const s3Schema = z.object({
  storage_type: z.literal('S3'),
  s3_bucket_name: z.string(),
  s3_bucket_region: z.enum(S3_BUCKET_REGIONS),
  bucket_path: z.string(),
  s3_endpoint: optionalText,
  access_key_id: optionalText,
  secret_access_key: optionalText,
  role_arn: optionalText,
});

const HINTS: Record<string, string> = {
  storage_type: 'Put "None" or "S3".',
  s3_bucket_name: 'Put the name of an existing S3 bucket.',
  s3_bucket_region: 'Put the bucket\'s AWS region, such as "us-east-1", or "" for the default.',
  bucket_path: 'Put a prefix such as "rejected/dotdigital", or "".',
  s3_endpoint: 'Put the URL of an S3-compatible server, such as "http://localhost:9000", or leave it out.',
  access_key_id: 'Put the access key ID as text.',
  secret_access_key: 'Put the secret access key as text.',
  role_arn: 'Leave it out.',
};

/**
 * Reads the raw `object_storage_config` value (absent means None) into a typed value. It accepts what
 * spec.json accepts; what the form cannot express (a usable bucket name, both keys or neither) is
 * checked by usableS3() when a client is made, in `check` and `write` alike.
 */
export function parseObjectStorage(raw: unknown): ObjectStorage {
  if (raw === undefined) return { type: 'none' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(OBJECT_STORAGE_FIELD, 'must be an object with a storage_type of "None" or "S3"');
  }
  const storageType = (raw as Record<string, unknown>).storage_type;
  if (storageType === 'None') return { type: 'none' };
  if (storageType !== 'S3') {
    const problem = storageType === undefined ? 'is missing' : 'must be "None" or "S3"';
    throw invalid(`${OBJECT_STORAGE_FIELD}.storage_type`, problem);
  }
  const result = s3Schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = String(issue.path[0] ?? 'storage_type');
    const value = (raw as Record<string, unknown>)[field];
    const problem = value === undefined ? 'is missing' : 'is not valid';
    throw invalid(`${OBJECT_STORAGE_FIELD}.${field}`, `${problem}. ${HINTS[field] ?? ''}`.trim());
  }
  const s3 = result.data;
  const storage: S3ObjectStorage = {
    type: 's3',
    bucket: s3.s3_bucket_name.trim(),
    region: s3.s3_bucket_region,
    bucketPath: s3.bucket_path.trim().replace(/^\/+|\/+$/g, ''),
  };
  if (s3.s3_endpoint !== undefined) storage.endpoint = s3.s3_endpoint.replace(/\/+$/, '');
  if (s3.access_key_id !== undefined) storage.accessKeyId = s3.access_key_id;
  if (s3.secret_access_key !== undefined) storage.secretAccessKey = s3.secret_access_key;
  if (s3.role_arn !== undefined) storage.roleArn = s3.role_arn;
  return storage;
}

/** The rules the form cannot express; a ConfigError naming the field when one is broken. */
export function usableS3(storage: S3ObjectStorage): void {
  if (storage.bucket === '')
    throw invalid(`${OBJECT_STORAGE_FIELD}.s3_bucket_name`, `is empty. ${HINTS.s3_bucket_name}`);
  if ((storage.accessKeyId === undefined) !== (storage.secretAccessKey === undefined)) {
    const missing = storage.accessKeyId === undefined ? 'access_key_id' : 'secret_access_key';
    throw invalid(`${OBJECT_STORAGE_FIELD}.${missing}`, 'is missing: give both keys, or neither');
  }
  if (storage.roleArn !== undefined) {
    // Assuming a role needs the platform's own AWS identity (Airbyte Cloud's, with the workspace as
    // external ID); a self-run connector has none, so the role could only fail later, mid-sync.
    throw invalid(
      `${OBJECT_STORAGE_FIELD}.role_arn`,
      'cannot be used by this connector: leave it empty and give access_key_id and secret_access_key',
    );
  }
  if (storage.endpoint !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(storage.endpoint)) {
    throw invalid(`${OBJECT_STORAGE_FIELD}.s3_endpoint`, `is not a URL. ${HINTS.s3_endpoint}`);
  }
}

/** The values the redactor must strip from every output. */
export function objectStorageSecrets(rawConfig: unknown): string[] {
  if (typeof rawConfig !== 'object' || rawConfig === null) return [];
  const storage = (rawConfig as Record<string, unknown>)[OBJECT_STORAGE_FIELD];
  if (typeof storage !== 'object' || storage === null) return [];
  const secret = (storage as Record<string, unknown>).secret_access_key;
  const keyId = (storage as Record<string, unknown>).access_key_id;
  return [secret, keyId].filter((value): value is string => typeof value === 'string' && value.length > 0);
}

function invalid(field: string, problem: string): ConfigError {
  return new ConfigError(`The configuration is invalid: "${field}" ${problem}.`.replace(/\.\.$/, '.'));
}
