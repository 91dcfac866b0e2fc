/** Region discovery against a scripted account-info, and what the client logs about its calls. */
import { describe, expect, it } from 'vitest';
import { createDotdigitalClient } from '../../src/dotdigital/client.js';
import type { DotdigitalClient } from '../../src/dotdigital/types.js';
import { ConfigError } from '../../src/protocol/errors.js';
import { captureLogger, testConfig } from './support/fixtures.js';
import { scriptedClients } from './support/scripted-client.js';

const scripted = scriptedClients();

function accountInfo(apiEndpoint: string, pascal = false): unknown {
  return pascal
    ? { Id: 1, Properties: [{ Name: 'ApiEndpoint', Type: 'String', Value: apiEndpoint }] }
    : {
        id: 1,
        properties: [
          { name: 'Name', type: 'String', value: 'Demo' },
          { name: 'ApiEndpoint', type: 'String', value: apiEndpoint },
        ],
      };
}

function discover(answer: (origin: string) => unknown): Promise<DotdigitalClient> {
  return scripted.connect(
    (request) =>
      request.url === '/v2/account-info'
        ? { status: 200, body: answer(scripted.server!.url) }
        : { status: 200, body: { id: 1, name: 'p', status: 'Active', dateCreated: 'd' } },
    { config: { region: 'auto' } },
  );
}

describe('region discovery with a base URL', () => {
  it('follows an ApiEndpoint on the same origin and calls it from then on', async () => {
    const c = await discover((origin) => accountInfo(`${origin}/r3/`));
    expect(c.baseUrl).toBe(`${scripted.server!.url}/r3`);
    await c.getProgram(1);
    expect(scripted.server!.requests.map((r) => r.url)).toEqual(['/v2/account-info', '/r3/v2/programs/1']);
  });

  it('accepts a PascalCase account-info answer', async () => {
    const c = await discover((origin) => accountInfo(`${origin}/r2`, true));
    expect(c.baseUrl).toBe(`${scripted.server!.url}/r2`);
  });

  it("stays on base_url when account-info names Dotdigital's own host (a proxy in front of Dotdigital)", async () => {
    const c = await discover(() => accountInfo('https://r3-api.dotdigital.com/'));
    expect(c.baseUrl).toBe(scripted.server!.url);
  });

  it.each(['https://r1-api.dotdigital.com.evil.example', 'http://127.0.0.2:1/r2', 'https://example.com'])(
    'refuses %s with a ConfigError',
    async (endpoint) => {
      await expect(discover(() => accountInfo(endpoint))).rejects.toBeInstanceOf(ConfigError);
    },
  );

  it('refuses an account-info without ApiEndpoint', async () => {
    await expect(discover(() => ({ id: 1, properties: [] }))).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses plain http to a host that is not loopback before any call', async () => {
    await expect(
      createDotdigitalClient(testConfig({ region: 'auto', baseUrl: 'http://dotdigital.example.com' }), {
        logger: captureLogger().logger,
      }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('call logging', () => {
  it('logs each call at debug with the route template, status and duration, and nothing secret', async () => {
    const log = captureLogger();
    const client = await scripted.connect(
      () => ({
        status: 200,
        body: { contactId: 9, status: 'subscribed', identifiers: { email: 'jo@example.com' } },
      }),
      { logger: log.logger },
    );
    await client.getContact('email', 'jo@example.com');
    const call = log.lines().find((line) => line.endpoint === 'GET /contacts/v3/{identifier}/{value}');
    expect(call).toMatchObject({ level: 20, method: 'GET', status: 200 });
    expect(typeof call?.ms).toBe('number');
    const text = log.text();
    expect(text).not.toContain(testConfig().password);
    expect(text).not.toContain(
      Buffer.from(`${testConfig().apiUser}:${testConfig().password}`).toString('base64'),
    );
    expect(text).not.toContain('jo@example.com');
  });
});
