/**
 * The client's HTTP tests all pair one scripted server with one client configured for it, and close both
 * after each test. This keeps that pairing (and its clean-up) in one place.
 */
import { afterEach } from 'vitest';
import type { Logger } from 'pino';
import type { ConnectorConfig } from '../../../src/config/types.js';
import { createDotdigitalClient, type DotdigitalClientOptions } from '../../../src/dotdigital/client.js';
import type { DotdigitalClient } from '../../../src/dotdigital/types.js';
import { captureLogger, FAST_RETRY, testConfig } from './fixtures.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

export interface ScriptedClientOptions {
  /** On top of testConfig() with base_url pointing at the scripted server. */
  config?: Partial<ConnectorConfig>;
  /** A throw-away captured logger unless given. */
  logger?: Logger;
  /** FAST_RETRY unless given. */
  retry?: DotdigitalClientOptions['retry'];
  requestTimeoutMs?: number;
  clock?: DotdigitalClientOptions['clock'];
}

export class ScriptedClients {
  /** The server and client of the current test, once connect() has run. */
  server: ScriptedServer | undefined;
  client: DotdigitalClient | undefined;

  async connect(
    reply: Parameters<typeof startScriptedServer>[0],
    options: ScriptedClientOptions = {},
  ): Promise<DotdigitalClient> {
    this.server = await startScriptedServer(reply);
    this.client = await createDotdigitalClient(testConfig({ baseUrl: this.server.url, ...options.config }), {
      logger: options.logger ?? captureLogger().logger,
      retry: options.retry ?? FAST_RETRY,
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    return this.client;
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.server?.close();
    this.client = undefined;
    this.server = undefined;
  }
}

/** A ScriptedClients whose server and client are closed after each test of the calling file. */
export function scriptedClients(): ScriptedClients {
  const clients = new ScriptedClients();
  afterEach(() => clients.close());
  return clients;
}
