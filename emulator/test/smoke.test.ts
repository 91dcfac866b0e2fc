import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';

let emu: RunningEmulator;
let auth: string;

async function call(path: string, init: RequestInit = {}, base = emu.regionUrl('r2')) {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { Authorization: auth, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

async function untilFinished(id: string) {
  for (;;) {
    const res = await call(`/v2/programs/enrolments/${id}`);
    if (res.json().status === 'Finished') return;
    emu.control.setClock({ advanceMs: 1000 });
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  emu = await startEmulator();
  auth = `Basic ${Buffer.from(`${emu.sample.apiUser}:${emu.sample.password}`).toString('base64')}`;
});
afterAll(async () => {
  await emu.stop();
});

describe('emulator smoke', () => {
  it('discovers the sample account region through account-info on r1', async () => {
    const res = await call('/v2/account-info', {}, emu.url);
    expect(res.status).toBe(200);
    const props = res.json().properties as { name: string; value: string }[];
    expect(props.find((p) => p.name === 'ApiEndpoint')?.value).toBe(`${emu.regionUrl(emu.sample.region)}/`);
  });

  it('refuses the wrong region and bad credentials', async () => {
    expect((await call('/v2/programs', {}, emu.regionUrl('r1'))).status).toBe(403);
    const bad = await fetch(`${emu.regionUrl('r2')}/v2/programs`, {
      headers: { Authorization: 'Basic eDp5' },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Error: ERROR_INVALID_LOGIN' });
  });

  it('looks a contact up by email, mobile and id', async () => {
    const byEmail = await call('/contacts/v3/email/USER1%40Example.com');
    expect(byEmail.status).toBe(200);
    expect(byEmail.json().contactId).toBe(100001);
    expect((await call('/contacts/v3/mobileNumber/%2B447950000001')).json().contactId).toBe(100001);
    expect((await call('/contacts/v3/contactId/100002')).json().identifiers).toEqual({
      email: 'user2@example.com',
      mobileNumber: '447950000002',
    });
    expect((await call('/contacts/v3/email/nobody%40example.com')).status).toBe(404);
  });

  it('enrols asynchronously and reports refused contacts', async () => {
    const created = await call('/v2/programs/enrolments', {
      method: 'POST',
      body: JSON.stringify({ programId: 1001, contacts: [100001, 100011] }),
    });
    expect(created.status).toBe(201);
    const id = created.json().id as string;
    expect(created.json().status).toBe('Processing');
    expect((await call(`/v2/programs/enrolments/${id}/report-faults`)).json()).toEqual({
      message: 'Error: ERROR_ENROLMENT_IS_PROCESSING',
    });
    await untilFinished(id);
    const report = await call(`/v2/programs/enrolments/${id}/report-faults`);
    expect(report.text).toBe(
      'Id,Email,TelephoneNumber,Reason\n100011,user11@example.com,+447950000011,Unsubcribed\n',
    );

    const again = await call('/v2/programs/enrolments', {
      method: 'POST',
      body: JSON.stringify({ ProgramId: 1001, Contacts: [100001] }),
    });
    const againId = again.json().id as string;
    await untilFinished(againId);
    expect((await call(`/v2/programs/enrolments/${againId}/report-faults`)).text).toContain('100001,');
    const state = emu.control.enrolmentState(1001);
    expect(state.contacts).toEqual([expect.objectContaining({ contactId: 100001, count: 1 })]);
  });

  it('spends the allowance only on accepted calls', async () => {
    emu.control.resetAllowance();
    expect(
      (await call('/v2/programs/enrolments', { method: 'POST', body: '{"programId":1001,"contacts":[1]}' }))
        .status,
    ).toBe(400);
    expect(emu.control.allowance().used).toBe(0);
  });
});
