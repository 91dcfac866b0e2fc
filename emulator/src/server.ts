/**
 * The HTTP front: strips the region prefix, hands /_emulator/ to the control API, and runs every API
 * call through faults → auth → region → rate limit → permission → body → handler, then logs it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleControlRequest, type EmulatorControl } from './control.js';
import type { FaultInjector } from './faults.js';
import { BodyTooLarge, parseJson, readBody } from './http/body.js';
import { failureReply, v2Error, v3Error, type Reply } from './http/reply.js';
import type { RateLimiter } from './rate-limit.js';
import type { RequestLog } from './request-log.js';
import { matchRoute } from './router.js';
import type { Region } from './state/account.js';
import type { World } from './state/world.js';

export interface ServerDeps {
  world: World;
  limiter: RateLimiter;
  faults: FaultInjector;
  log: RequestLog;
  control: EmulatorControl;
  /** Overrides the origin used in ApiEndpoint and paging links (otherwise taken from the Host header). */
  publicOrigin?: string;
}

const JSON_BODY_LIMIT = 1024 * 1024;

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        const body = JSON.stringify({ message: `Error: ERROR_UNKNOWN (${(err as Error).message})` });
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(body);
      } else {
        res.destroy();
      }
    });
  });
  return server;
}

function splitRegion(path: string): { region: Region; prefix: string; rest: string } {
  if (path.length >= 3 && path.charCodeAt(1) === 114 /* r */ && (path.length === 3 || path[3] === '/')) {
    const digit = path[2];
    if (digit === '1' || digit === '2' || digit === '3') {
      return { region: `r${digit}` as Region, prefix: path.slice(0, 3), rest: path.slice(3) || '/' };
    }
  }
  return { region: 'r1', prefix: '', rest: path };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const { world, limiter, log } = deps;
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const { region, prefix, rest } = splitRegion(rawPath);
  if (rest.startsWith('/_emulator')) return handleControlRequest(deps.control, req, res, rest, query);
  // A server's Date is its own clock; the emulated one, so a client can tell how far it runs ahead.
  res.setHeader('Date', new Date(world.clock.now()).toUTCString());

  const path = rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest;
  const match = matchRoute(method, path);
  const route = 'route' in match ? match.route : undefined;
  const endpoint = route ? route.endpoint : `${method} (unmatched)`;
  const api = route ? route.api : path.startsWith('/contacts/') ? 'v3' : 'v2';
  const entry = { method, path: rawPath, region, endpoint, at: new Date(world.clock.now()).toISOString() };
  const finish = (status: number, apiUser?: string, fault?: string) =>
    log.record({
      ...entry,
      status,
      apiUser,
      fault,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });

  const fault = deps.faults.decide(endpoint, `${method} ${url}`);
  if (fault.delayMs > 0) await world.clock.pause(fault.delayMs);
  if (fault.kind === 'drop') {
    req.socket.destroy();
    return finish(0, undefined, 'drop');
  }
  if (fault.kind === 'status') {
    send(res, fault.code ? codedError(api, fault.status, fault.code) : serverError(api, fault.status));
    return finish(fault.status, undefined, 'status');
  }

  const user = world.authenticate(req.headers.authorization);
  if (!user) {
    const reply =
      api === 'v3'
        ? v3Error(401, 'contacts:unauthorized', 'Authorization has been denied for this request.')
        : v2Error(401, 'ERROR_INVALID_LOGIN');
    reply.headers = { 'WWW-Authenticate': 'Basic realm="Dotdigital"' };
    send(res, reply);
    return finish(401);
  }
  const account = user.account;
  const regionOk = account.region === region || (endpoint === 'GET /v2/account-info' && region === 'r1');
  if (!regionOk) {
    send(
      res,
      api === 'v3'
        ? v3Error(403, 'contacts:forbidden', `This account is not served by the ${region} region`)
        : v2Error(403, 'ERROR_ACCOUNT_INVALID'),
    );
    return finish(403, user.username);
  }
  if ('notFound' in match) {
    send(res, v2Error(404, 'ERROR_RESOURCE_NOT_FOUND'));
    return finish(404, user.username);
  }
  if ('methodNotAllowed' in match) {
    const reply = v2Error(405, 'ERROR_METHOD_NOT_ALLOWED');
    reply.headers = { Allow: match.methodNotAllowed.join(', ') };
    send(res, reply);
    return finish(405, user.username);
  }
  const { route: r, params } = match;

  if (fault.kind === 'rateLimit') {
    send(res, tooManyRequests(api, limiter.exhaustedHeaders(account.id, r.tier)));
    return finish(429, user.username, 'rateLimit');
  }
  const rate = limiter.take(account.id, r.tier, r.endpoint === 'POST /v2/programs/enrolments');
  if (rate.limited) {
    send(res, rate.legacy ? v2Error(400, 'ERROR_APIUSAGE_EXCEEDED') : tooManyRequests(api, rate.headers));
    return finish(rate.legacy ? 400 : 429, user.username);
  }
  if (r.needsPrograms && !user.programsPermission) {
    send(res, v2Error(403, 'ERROR_FEATURENOTACTIVE'), rate.headers);
    return finish(403, user.username);
  }

  let body: unknown;
  let requestBytes = 0;
  if (r.body !== 'none') {
    try {
      const raw = await readBody(
        req,
        r.body === 'import' ? world.settings.maxImportBodyBytes : JSON_BODY_LIMIT,
      );
      requestBytes = Buffer.byteLength(raw);
      body = log.serving(() => parseJson(raw));
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      const reply =
        api === 'v3'
          ? v3Error(413, 'contacts:requestTooLarge', 'The request body exceeds the maximum allowed size')
          : v2Error(413, 'ERROR_REQUEST_TOO_LARGE');
      send(res, reply, rate.headers);
      return finish(413, user.username);
    }
  }

  const origin = deps.publicOrigin ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  let reply: Reply;
  try {
    reply = log.serving(() => r.handler({ world, user, account, params, query, body, origin, prefix }));
  } catch (err) {
    // The world's rules throw Dotdigital's answers (V2Failure, V3Failure); anything else is a bug: a 500.
    const failure = failureReply(err);
    if (!failure) throw err;
    reply = failure;
  }
  const transferMs = deps.faults.transferDelayMs(
    requestBytes + (reply.body === undefined ? 0 : Buffer.byteLength(reply.body)),
  );
  if (transferMs > 0) await world.clock.pause(transferMs);
  if (fault.kind === 'dropMidResponse') {
    sendHalfAndDrop(res, reply, rate.headers);
    return finish(0, user.username, 'dropMidResponse');
  }
  log.serving(() => send(res, reply, rate.headers));
  finish(reply.status, user.username);
}

function serverError(api: 'v2' | 'v3', status: number): Reply {
  return api === 'v3'
    ? v3Error(status, 'contacts:serviceUnavailable', 'The service is temporarily unavailable')
    : v2Error(status, status === 503 ? 'ERROR_SYSTEM_SERVICETEMPORARILYUNAVAILABLE' : 'ERROR_UNKNOWN');
}

/** An injected refusal with a chosen code (ERROR_ADDRESSBOOK_IN_USE, ERROR_ADDRESSBOOK_LIMITEXCEEDED, …). */
function codedError(api: 'v2' | 'v3', status: number, code: string): Reply {
  return api === 'v3' ? v3Error(status, code, `Injected ${code}`) : v2Error(status, code);
}

function tooManyRequests(api: 'v2' | 'v3', headers: Record<string, string>): Reply {
  const reply =
    api === 'v3'
      ? v3Error(429, 'contacts:tooManyRequests', 'The rate limit for this call tier has been exceeded')
      : v2Error(429, 'ERROR_RATE_LIMIT_EXCEEDED');
  reply.headers = headers;
  return reply;
}

function headersOf(reply: Reply, extra?: Record<string, string>): Record<string, string | number> {
  const headers: Record<string, string | number> = { ...extra, ...reply.headers };
  if (reply.body !== undefined) {
    headers['Content-Type'] = reply.contentType ?? 'application/json; charset=utf-8';
    headers['Content-Length'] = Buffer.byteLength(reply.body);
  }
  return headers;
}

function send(res: ServerResponse, reply: Reply, extra?: Record<string, string>): void {
  res.writeHead(reply.status, headersOf(reply, extra));
  res.end(reply.body);
}

/** The request was processed; the client sees headers and part of the body, then a reset. */
function sendHalfAndDrop(res: ServerResponse, reply: Reply, extra?: Record<string, string>): void {
  const body = reply.body ?? '{}';
  const headers = headersOf({ ...reply, body }, extra);
  res.writeHead(reply.status, headers);
  res.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))), () => res.destroy());
}
