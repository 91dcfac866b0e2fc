/** Region discovery against a scripted account-info, and what the client logs about its calls. */
import { afterEach, describe, expect, it } from 'vitest';
import { createDotdigitalClient } from '../../src/dotdigital/client.js';
import type { DotdigitalClient } from '../../src/dotdigital/types.js';
import { ConfigError } from '../../src/protocol/errors.js';
import { captureLogger, FAST_RETRY, testConfig } from './support/fixtures.js';
import { startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

let server: ScriptedServer | undefined;
let client: DotdigitalClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

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

async function discover(answer: (origin: string) => unknown): Promise<DotdigitalClient> {
  let origin = '';
  server = await startScriptedServer((request) =>
    request.url === '/v2/account-info'
      ? { status: 200, body: answer(origin) }
      : { status: 200, body: { id: 1, name: 'p', status: 'Active', dateCreated: 'd' } },
  );
  origin = server.url;
  client = await createDotdigitalClient(testConfig({ region: 'auto', baseUrl: server.url }), {
    logger: captureLogger().logger,
    retry: FAST_RETRY,
  });
  return client;
}

describe('region discovery with a base URL', () => {
  it('follows an ApiEndpoint on the same origin and calls it from then on', async () => {
    const c = await discover((origin) => accountInfo(`${origin}/r3/`));
    expect(c.baseUrl).toBe(`${server!.url}/r3`);
    await c.getProgram(1);
    expect(server!.requests.map((r) => r.url)).toEqual(['/v2/account-info', '/r3/v2/programs/1']);
  });

  it('accepts a PascalCase account-info answer', async () => {
    const c = await discover((origin) => accountInfo(`${origin}/r2`, true));
    expect(c.baseUrl).toBe(`${server!.url}/r2`);
  });

  it('trusts a Dotdigital regional endpoint', async () => {
    const c = await discover(() => accountInfo('https://r3-api.dotdigital.com/'));
    expect(c.baseUrl).toBe('https://r3-api.dotdigital.com');
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
    server = await startScriptedServer(() => ({
      status: 200,
      body: { contactId: 9, status: 'subscribed', identifiers: { email: 'jo@example.com' } },
    }));
    const log = captureLogger();
    client = await createDotdigitalClient(testConfig({ baseUrl: server.url }), {
      logger: log.logger,
      retry: FAST_RETRY,
    });
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
