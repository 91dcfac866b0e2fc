/**
 * A real HTTP server on 127.0.0.1 whose answers a test scripts request by request: status, headers, body, or a
 * transport failure (connection reset before answering, reset half-way through the body, or no answer at all).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's port: equal across requests that reused one kept-alive connection. */
  remotePort: number | undefined;
}

export type ScriptedReply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { action: 'reset' | 'reset-mid-body' | 'hang' };

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(
  reply: (request: RecordedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>,
): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort,
      };
      const index = requests.push(recorded) - 1;
      void Promise.resolve(reply(recorded, index)).then((scripted) => {
        if ('action' in scripted) {
          if (scripted.action === 'reset') req.socket.destroy();
          else if (scripted.action === 'hang') hanging.add(res);
          else {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
            res.write('{"partial":');
            setImmediate(() => req.socket.destroy());
          }
          return;
        }
        const body =
          scripted.body === undefined
            ? ''
            : typeof scripted.body === 'string'
              ? scripted.body
              : JSON.stringify(scripted.body);
        const headers: Record<string, string> = { ...(scripted.headers ?? {}) };
        if (body !== '' && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
          headers['content-type'] = 'application/json; charset=utf-8';
        }
        res.writeHead(scripted.status, headers);
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
