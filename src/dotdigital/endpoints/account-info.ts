/** GET /v2/account-info: the account's properties, among them ApiEndpoint (its own region's base URL). */
import { z } from 'zod';
import type { ApiCaller } from '../caller.js';
import { parseResponse } from '../validate.js';

const ROUTE = '/v2/account-info';
const ENDPOINT = `GET ${ROUTE}`;

const accountInfoSchema = z.object({
  id: z.number().optional(),
  properties: z.array(
    z.object({
      name: z.string(),
      type: z.string().nullish(),
      value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
    }),
  ),
});

export interface RawAccountInfo {
  /** As reported, not yet checked against the trust rules in regions.ts. */
  apiEndpoint: string | undefined;
  properties: Record<string, string>;
}

/** `baseUrl` lets region discovery ask r1 (or the configured base URL) before the account's region is known. */
export async function fetchAccountInfo(caller: ApiCaller, baseUrl?: string): Promise<RawAccountInfo> {
  const response = await caller.call({
    method: 'GET',
    route: ROUTE,
    ...(baseUrl === undefined ? {} : { baseUrl }),
  });
  const body = parseResponse(accountInfoSchema, response, ENDPOINT, { v2: true });
  const properties: Record<string, string> = {};
  for (const property of body.properties) {
    if (property.value !== undefined && property.value !== null)
      properties[property.name] = String(property.value);
  }
  const endpointProperty = Object.entries(properties).find(([name]) => name.toLowerCase() === 'apiendpoint');
  return { apiEndpoint: endpointProperty?.[1], properties };
}
