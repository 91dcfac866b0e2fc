/**
 * The S3 client for `object_storage_config`, what its failures mean for the user, and the check's probe.
 * Every failure names the field to fix, because a wrong bucket, key or region all look alike from S3.
 */
import { randomUUID } from 'node:crypto';

import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { OBJECT_STORAGE_FIELD, usableS3, type S3ObjectStorage } from '../../config/object-storage.js';
import { ConfigError, TransientError, type ConnectorError } from '../../protocol/errors.js';

export function createS3Client(storage: S3ObjectStorage): S3Client {
  usableS3(storage);
  // On Node 20 the SDK writes a support warning to stderr, outside the protocol's LOG messages; the
  // image runs Node 24, where it never appears, and the warning says nothing a user of a sync can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    // The form's "no region" is "": S3 then answers for us-east-1 and redirects for other regions.
    region: storage.region || 'us-east-1',
    // S3-compatible servers address buckets by path; AWS's virtual hosts need DNS per bucket.
    ...(storage.endpoint ? { endpoint: storage.endpoint, forcePathStyle: true } : {}),
    ...(storage.accessKeyId && storage.secretAccessKey
      ? { credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey } }
      : {}),
    maxAttempts: 3,
    // A bucket that does not answer must fail the check in seconds, not hang it.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    // Checksums only where S3 demands them: many S3-compatible servers refuse the SDK's default
    // trailing checksums on streamed uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const field = (name: string): string => `${OBJECT_STORAGE_FIELD}.${name}`;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Turns an S3 failure into the connector's error. Credentials, bucket and region problems are the user's
 * to fix (config_error). A store that does not answer is config_error in `check` (the address is wrong
 * until shown otherwise) and transient_error mid-sync (it answered at the start).
 */
export function translateS3Error(
  error: unknown,
  storage: S3ObjectStorage,
  doing: string,
  unreachableIs: 'config' | 'transient',
): ConnectorError {
  const name = (error as { name?: string }).name ?? '';
  const code = (error as { code?: string }).code ?? '';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const where = `bucket "${storage.bucket}"${storage.endpoint ? ` at ${storage.endpoint}` : ''}`;
  const internal = `S3 ${doing}: ${name || code || 'error'}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`;
  const config = (message: string): ConfigError =>
    new ConfigError(`Could not ${doing} in ${where}: ${message}`, internal, { cause: error });
  switch (name) {
    case 'NoSuchBucket':
    case 'InvalidBucketName':
      return config(`the bucket does not exist. Check ${field('s3_bucket_name')}.`);
    case 'InvalidAccessKeyId':
      return config(`the access key is not known. Check ${field('access_key_id')}.`);
    case 'SignatureDoesNotMatch':
      return config(`the secret does not match the access key. Check ${field('secret_access_key')}.`);
    case 'AccessDenied':
    case 'Forbidden':
    case 'AllAccessDisabled':
      return config(
        `access denied. The key in ${field('access_key_id')} needs s3:PutObject on the bucket (and the prefix in ${field('bucket_path')}).`,
      );
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return config(`the bucket is in another region. Check ${field('s3_bucket_region')}.`);
    case 'CredentialsProviderError':
      return config(
        `no AWS credentials were found. Set ${field('access_key_id')} and ${field('secret_access_key')}.`,
      );
  }
  if (status === 403)
    return config(`access denied. Check ${field('access_key_id')} and ${field('secret_access_key')}.`);
  if (status === 301 || status === 400) {
    return config(
      `S3 refused the request (${name || status}). Check ${field('s3_bucket_region')} and ${field('s3_bucket_name')}.`,
    );
  }
  const unreachable =
    NETWORK_CODES.has(code) || name === 'TimeoutError' || name === 'RequestTimeout' || status === undefined;
  if (unreachable) {
    const fix = storage.endpoint
      ? `Check ${field('s3_endpoint')} and that the server is running.`
      : `Check ${field('s3_bucket_name')} and ${field('s3_bucket_region')}.`;
    const message = `the object store could not be reached (${code || name || 'no answer'}). ${fix}`;
    return unreachableIs === 'config'
      ? config(message)
      : new TransientError(`Could not ${doing} in ${where}: ${message} The sync can be retried.`, internal, {
          cause: error,
        });
  }
  return new TransientError(
    `Could not ${doing} in ${where}: S3 answered ${name || status}; retry later.`,
    internal,
    {
      cause: error,
    },
  );
}

/**
 * `check`: writes a small object where the sync will write and deletes it again, as the CDK's DlqChecker
 * does, so a wrong bucket, region, key or permission fails the check rather than the first rejection.
 */
export async function probeObjectStorage(storage: S3ObjectStorage, prefix: string): Promise<string> {
  const client = createS3Client(storage);
  const key = [prefix, `_check_test_${randomUUID()}`].filter((part) => part !== '').join('/');
  try {
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: storage.bucket,
          Key: key,
          Body: '{"data":1}\n',
          ContentType: 'application/jsonl',
        }),
      );
    } catch (error) {
      throw translateS3Error(error, storage, 'write a test object', 'config');
    }
    try {
      await client.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: key }));
    } catch {
      // The sync never deletes; a key without s3:DeleteObject leaves one small test object behind.
      return `rejected records go to s3://${storage.bucket}/${prefix} (the test object ${key} could not be deleted)`;
    }
    return `rejected records go to s3://${storage.bucket}/${prefix}`;
  } finally {
    client.destroy();
  }
}
