import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/dotdigital/csv.js';
import { parseFaultReport } from '../../src/dotdigital/endpoints/enrolments.js';
import { SystemError } from '../../src/protocol/errors.js';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside quotes', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\n')).toEqual([['a', 'b,c', 'say "hi"', 'two\nlines']]);
  });

  it('handles CRLF, a BOM, blank lines, empty fields and no final newline', () => {
    expect(parseCsv('\uFEFFx,y\r\n\r\n1,\r\n,2')).toEqual([
      ['x', 'y'],
      ['1', ''],
      ['', '2'],
    ]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('a,"b')).toThrow(/unterminated/);
  });
});

describe('parseFaultReport', () => {
  it('reads the documented columns', () => {
    const csv =
      'Id,Email,TelephoneNumber,Reason\n12345,contact@example.com,+441234567890,Unsubscribed\n67890,other@example.com,,AlreadyInProgram\n';
    expect(parseFaultReport(csv)).toEqual([
      {
        contactId: 12345,
        email: 'contact@example.com',
        telephoneNumber: '+441234567890',
        reason: 'Unsubscribed',
      },
      { contactId: 67890, email: 'other@example.com', telephoneNumber: '', reason: 'AlreadyInProgram' },
    ]);
  });

  it('finds columns by name in any order and case, with quoted values', () => {
    const csv = 'reason,ID,email\r\n"Suppressed, globally",7,"a,b@example.com"\r\n';
    expect(parseFaultReport(csv)).toEqual([
      { contactId: 7, email: 'a,b@example.com', telephoneNumber: '', reason: 'Suppressed, globally' },
    ]);
  });

  it('is empty for an empty body or a header alone', () => {
    expect(parseFaultReport('')).toEqual([]);
    expect(parseFaultReport('Id,Email,TelephoneNumber,Reason\r\n')).toEqual([]);
  });

  it('fails loudly when the columns or ids are not what the API documents', () => {
    expect(() => parseFaultReport('Contact,Why\n1,x\n')).toThrow(SystemError);
    expect(() => parseFaultReport('Id,Reason\nabc,x\n')).toThrow(/report-faults/);
  });
});
