/** RFC 4180 parsing for the enrolment fault report; strict, so a malformed report fails the test. */

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i += 1;
    } else if (c === '"') throw new Error(`stray quote at offset ${i}`);
    else field += c;
    i += 1;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface FaultRow {
  Id: string;
  Email: string;
  TelephoneNumber: string;
  Reason: string;
}

export const FAULT_REPORT_HEADER = ['Id', 'Email', 'TelephoneNumber', 'Reason'];

/** Parses the report, insisting on the documented header and four fields on every row. */
export function parseFaultReport(text: string): FaultRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.join(',') !== FAULT_REPORT_HEADER.join(',')) {
    throw new Error(`fault report header must be ${FAULT_REPORT_HEADER.join(',')}, got ${header?.join(',')}`);
  }
  return rows.map((fields, index) => {
    if (fields.length !== 4) throw new Error(`fault report row ${index + 2} has ${fields.length} fields`);
    const [Id, Email, TelephoneNumber, Reason] = fields as [string, string, string, string];
    return { Id, Email, TelephoneNumber, Reason };
  });
}
