import { describe, expect, it } from 'vitest';
import { createRedactor, MIN_SUBSTRING_SECRET_LENGTH, secretsFor } from '../../src/protocol/redact.js';

describe('createRedactor', () => {
  const password = 'p@ss w0rd/"quoted"';
  const redact = createRedactor(secretsFor('apiuser-1@apiconnector.com', password));

  it('removes the password, raw and encoded as in URLs and JSON', () => {
    const texts = [
      `failed with password ${password}.`,
      `https://host/x?pw=${encodeURIComponent(password)}`,
      `{"api_password":${JSON.stringify(password)}}`,
    ];
    for (const text of texts) {
      const result = redact(text);
      expect(result).not.toContain(password);
      expect(result).not.toContain(encodeURIComponent(password));
      expect(result).not.toContain(JSON.stringify(password).slice(1, -1));
      expect(result).toContain('***');
    }
  });

  it('removes the Basic token of the API user and password', () => {
    const token = Buffer.from(`apiuser-1@apiconnector.com:${password}`).toString('base64');
    expect(redact(`token ${token} leaked`)).toBe('token *** leaked');
  });

  it('removes Basic and Bearer credentials and Authorization header values it was not told about', () => {
    const plain = createRedactor([]);
    expect(plain('Authorization: Basic dXNlcjpzZWNyZXQ=')).toBe('Authorization: Basic ***');
    expect(plain('headers: {"authorization":"Bearer abc.def-ghi"}')).toBe(
      'headers: {"authorization":"Bearer ***"}',
    );
    expect(plain('authorization=Token123secret;')).toBe('authorization=***;');
  });

  it('removes user:password@ credentials from URLs', () => {
    const plain = createRedactor([]);
    expect(plain('GET https://bob:hunter2@r1-api.dotdigital.com/v2/account-info failed')).toBe(
      'GET https://***@r1-api.dotdigital.com/v2/account-info failed',
    );
  });

  it('masks a secret that contains another one whole', () => {
    const nested = createRedactor(['abcdef', 'xxabcdefxx']);
    expect(nested('value xxabcdefxx and abcdef')).toBe('value *** and ***');
  });

  it('masks a very short secret only as a whole value, never the letters of other words', () => {
    const short = createRedactor(secretsFor('apiuser-1@apiconnector.com', 'a'));
    const line = 'Enrolling 25 contacts into program 1002: a batch of a kind.';
    expect(short(line)).toBe(line);
    expect(short('{"api_user":"apiuser-1@apiconnector.com","api_password":"a"}')).toBe(
      '{"api_user":"apiuser-1@apiconnector.com","api_password":"***"}',
    );
    expect(short("password 'a' was refused")).toBe("password '***' was refused");
    expect(short('https://host/x?pw=a&y=1')).toBe('https://host/x?pw=***&y=1');
    expect(short('api_password:a, region:r1')).toBe('api_password:***, region:r1');
    expect(short('a')).toBe('***');
  });

  it('masks a secret of the threshold length anywhere, inside words too', () => {
    const secret = 'q'.repeat(MIN_SUBSTRING_SECRET_LENGTH);
    expect(createRedactor([secret])(`x${secret}y`)).toBe('x***y');
  });

  it('leaves text without secrets alone and ignores empty secrets', () => {
    const none = createRedactor(['']);
    expect(none('Enrolled 25 contacts into program 1001')).toBe('Enrolled 25 contacts into program 1001');
  });

  it('derives no secret from a missing password', () => {
    expect(secretsFor('user', undefined)).toEqual([]);
    expect(secretsFor('user', '')).toEqual([]);
  });
});
