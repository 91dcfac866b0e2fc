import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import {
  objectStorageSecrets,
  parseObjectStorage,
  S3_BUCKET_REGIONS,
} from '../../src/config/object-storage.js';
import { createS3Client } from '../../src/enrolment/rejected-records/s3-client.js';
import { referencePath } from '../support/reference.js';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; oneOf?: Schema[] };

const ours = (
  JSON.parse(readFileSync(new URL('../../spec.json', import.meta.url), 'utf8')) as {
    connectionSpecification: { properties: Record<string, Schema> };
  }
).connectionSpecification.properties.object_storage_config!;
const theirs = (
  JSON.parse(readFileSync(referencePath('airbyte', 'customer-io', 'expected-spec-cloud.json'), 'utf8')) as {
    connectionSpecification: { properties: Record<string, Schema> };
  }
).connectionSpecification.properties.object_storage_config!;

/** Output settings the platform never reads; this connector writes JSON Lines only. */
const LEFT_OUT = ['format', 'compression', 'path_format', 'file_name_format'];

describe('object_storage_config in spec.json', () => {
  it('is the data-activation destinations’ own, property for property (Customer.io’s generated spec)', () => {
    expect(ours.title).toBe(theirs.title);
    expect(ours.type).toBe(theirs.type);
    const [ourNone, ourS3] = ours.oneOf!;
    const [theirNone, theirS3] = theirs.oneOf!;
    expect(ourNone).toEqual(theirNone);
    expect(ourS3!.title).toBe(theirS3!.title);
    const kept = Object.keys(theirS3!.properties!).filter((name) => !LEFT_OUT.includes(name));
    expect(Object.keys(ourS3!.properties!).sort()).toEqual(kept.sort());
    for (const name of kept) expect(ourS3!.properties![name], name).toEqual(theirS3!.properties![name]);
    expect(ourS3!.required).toEqual(
      (theirS3!.required as string[]).filter((name) => !LEFT_OUT.includes(name)),
    );
    expect(ourS3!.properties!.s3_bucket_region!.enum).toEqual([...S3_BUCKET_REGIONS]);
  });
});

describe('parseObjectStorage', () => {
  const s3 = { storage_type: 'S3', s3_bucket_name: 'b', s3_bucket_region: 'eu-west-2', bucket_path: '/a/b/' };

  it('reads None, absent and S3', () => {
    expect(parseObjectStorage(undefined)).toEqual({ type: 'none' });
    expect(parseObjectStorage({ storage_type: 'None' })).toEqual({ type: 'none' });
    expect(
      parseObjectStorage({
        ...s3,
        s3_endpoint: 'http://127.0.0.1:9000/',
        access_key_id: ' k ',
        secret_access_key: 's',
      }),
    ).toEqual({
      type: 's3',
      bucket: 'b',
      region: 'eu-west-2',
      bucketPath: 'a/b',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
  });

  it('names the field when a value is wrong or missing', () => {
    expect(() => parseObjectStorage({ storage_type: 'GCS' })).toThrow('"object_storage_config.storage_type"');
    expect(() => parseObjectStorage({ ...s3, s3_bucket_name: undefined })).toThrow(
      '"object_storage_config.s3_bucket_name" is missing',
    );
    expect(() => parseObjectStorage({ ...s3, s3_bucket_region: 'mars-1' })).toThrow(
      '"object_storage_config.s3_bucket_region" is not valid',
    );
  });

  it('refuses, naming the field, what the form cannot express, before any request', () => {
    const storage = (extra: Record<string, unknown>) => parseObjectStorage({ ...s3, ...extra });
    expect(() => createS3Client(storage({ access_key_id: 'k' }) as never)).toThrow(
      'object_storage_config.secret_access_key',
    );
    expect(() => createS3Client(storage({ s3_bucket_name: ' ' }) as never)).toThrow(
      'object_storage_config.s3_bucket_name',
    );
    expect(() => createS3Client(storage({ s3_endpoint: 'localhost:9000' }) as never)).toThrow(
      'object_storage_config.s3_endpoint',
    );
  });

  it('gives the redactor both keys', () => {
    expect(
      objectStorageSecrets({
        object_storage_config: { ...s3, access_key_id: 'AKIA', secret_access_key: 'shh' },
      }),
    ).toEqual(['shh', 'AKIA']);
    expect(objectStorageSecrets({})).toEqual([]);
  });
});
