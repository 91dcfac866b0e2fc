/** Reads a request body up to a byte limit; past it the caller answers 413 without buffering the rest. */
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {}

/**
 * Past the limit the rest of the body is read and discarded, so the client finishes sending and can
 * read the 413 (a reset mid-upload would look like a network fault); past four times the limit the
 * connection is dropped instead.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) tooLarge = true;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit * 4) req.socket.destroy();
    });
    req.on('end', () =>
      tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** Parsed JSON, or undefined when the text is empty or not JSON (each route reports that its own way). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A non-negative integer query value, the default when absent, or NaN when malformed. */
export function intParam(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value)) return NaN;
  return Number(value);
}
