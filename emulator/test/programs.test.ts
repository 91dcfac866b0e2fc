/** GET /v2/programs and GET /v2/programs/{id}: shapes, every program status, select/skip paging and errors. */
import { describe, expect, it } from 'vitest';
import { assertResponseMatches } from './openapi.js';
import { expectV2Error } from './support/errors.js';
import { PROGRAM } from './support/fixture.js';
import { useEmulator } from './support/emulator.js';

const emulator = useEmulator();

interface ProgramBody {
  id: number;
  name: string;
  status: string;
  dateCreated: string;
}

describe('GET /v2/programs', () => {
  it('lists every program, in every status, in the published shape', async () => {
    const response = await emulator().api.get('/v2/programs');
    expect(response.status, response.text).toBe(200);
    assertResponseMatches('programs', 'get', '/v2/programs', 200, response.json);
    assertResponseMatches('v2-api', 'get', '/v2/programs', 200, response.json);
    const programs = response.json as ProgramBody[];
    expect(programs.map((program) => program.id).sort()).toEqual(Object.values(PROGRAM).sort());
    expect(new Set(programs.map((program) => program.status))).toEqual(
      new Set(['Draft', 'Active', 'Deactivated', 'ReadOnly']),
    );
  });

  it('pages with select and skip without gaps or repeats', async () => {
    const { api } = emulator();
    const all = (await api.get('/v2/programs')).json as ProgramBody[];
    const seen: number[] = [];
    for (let skip = 0; skip < all.length + 3; skip += 3) {
      const page = await api.get(`/v2/programs?select=3&skip=${skip}`);
      expect(page.status).toBe(200);
      assertResponseMatches('programs', 'get', '/v2/programs', 200, page.json);
      const ids = (page.json as ProgramBody[]).map((program) => program.id);
      expect(ids.length).toBeLessThanOrEqual(3);
      seen.push(...ids);
    }
    expect(seen).toEqual(all.map((program) => program.id));
  });

  it('accepts the documented extremes select=1 and select=1000', async () => {
    const { api } = emulator();
    expect(((await api.get('/v2/programs?select=1')).json as unknown[]).length).toBe(1);
    expect(((await api.get('/v2/programs?select=1000')).json as unknown[]).length).toBe(8);
  });

  it.each(['select=0', 'select=1001', 'select=-5', 'skip=-1', 'select=abc', 'skip=1.5'])(
    'answers 400 ERROR_PARAMETER_INVALID for %s',
    async (query) => {
      const response = await emulator().api.get(`/v2/programs?${query}`);
      expectV2Error(response, 400, 'ERROR_PARAMETER_INVALID');
      assertResponseMatches('programs', 'get', '/v2/programs', 400, response.json);
    },
  );
});

describe('GET /v2/programs/{id}', () => {
  it.each(Object.entries(PROGRAM))('returns program %s (%i) in the published shape', async (_name, id) => {
    const response = await emulator().api.get(`/v2/programs/${id}`);
    expect(response.status, response.text).toBe(200);
    assertResponseMatches('programs', 'get', '/v2/programs/{id}', 200, response.json);
    assertResponseMatches('v2-api', 'get', '/v2/programs/{id}', 200, response.json);
    expect((response.json as ProgramBody).id).toBe(id);
  });

  it('reports each status as the fixture sets it', async () => {
    const { api } = emulator();
    const status = async (id: number) => ((await api.get(`/v2/programs/${id}`)).json as ProgramBody).status;
    expect(await status(PROGRAM.firstTimeOnly)).toBe('Active');
    expect(await status(PROGRAM.draft)).toBe('Draft');
    expect(await status(PROGRAM.deactivated)).toBe('Deactivated');
    expect(await status(PROGRAM.readOnly)).toBe('ReadOnly');
  });

  it.each(['999999', '0', '2001'])('answers 404 ERROR_PROGRAM_NOT_FOUND for %s', async (id) => {
    // 2001 exists, but in another account: it must be invisible here.
    const response = await emulator().api.get(`/v2/programs/${id}`);
    expectV2Error(response, 404, 'ERROR_PROGRAM_NOT_FOUND');
    assertResponseMatches('programs', 'get', '/v2/programs/{id}', 404, response.json);
  });
});
