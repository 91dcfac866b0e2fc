/** Programs: GET /v2/programs (every page) and GET /v2/programs/{id}. */
import { z } from 'zod';
import type { ApiCaller } from '../caller.js';
import { MAX_V2_PAGE } from '../limits.js';
import type { Program } from '../types.js';
import { v2PageQuery } from '../paging.js';
import { parseResponse } from '../validate.js';

/**
 * Read leniently outside what the connector needs: the id and whether the status is Active. An unknown
 * status is kept (and is not enrollable), a null name is allowed (the live v2 schema's ApiProgram).
 */
export const programSchema = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  status: z.string(),
  dateCreated: z.string().nullish(),
});

function toProgram(raw: z.output<typeof programSchema>): Program {
  return { id: raw.id, name: raw.name ?? null, status: raw.status, dateCreated: raw.dateCreated ?? '' };
}

export async function listPrograms(caller: ApiCaller, pageSize = MAX_V2_PAGE): Promise<Program[]> {
  const programs: Program[] = [];
  for (let skip = 0; ; skip += pageSize) {
    // The API documents skip ≥ 1, so the first page is asked for without it.
    const response = await caller.call({
      method: 'GET',
      route: '/v2/programs',
      query: v2PageQuery({ select: pageSize, skip }),
    });
    const page = parseResponse(z.array(programSchema), response, 'GET /v2/programs', { v2: true });
    programs.push(...page.map(toProgram));
    if (page.length < pageSize) return programs;
  }
}

export async function getProgram(caller: ApiCaller, id: number): Promise<Program> {
  const response = await caller.call({ method: 'GET', route: '/v2/programs/{id}', pathParams: { id } });
  return toProgram(parseResponse(programSchema, response, 'GET /v2/programs/{id}', { v2: true }));
}
