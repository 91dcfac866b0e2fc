import { describe, expect, it } from 'vitest';
import { programIdFromObjectName, programObjectName } from '../../src/config/program-object-name.js';

describe('program object names', () => {
  it('show the program name and end with the id', () => {
    expect(programObjectName({ id: 1001, name: 'Welcome journey' })).toBe('Welcome journey (program 1001)');
    expect(programObjectName({ id: 7, name: '  Spring\n sale  ' })).toBe('Spring sale (program 7)');
    expect(programObjectName({ id: 7, name: '' })).toBe('Unnamed program (program 7)');
  });

  it('give back the id of every name they make, whatever the program is called', () => {
    for (const name of ['Welcome journey', 'Re-engage (program 5)', '(program 9)', 'ÉTÉ 2026 ✨', '']) {
      expect(programIdFromObjectName(programObjectName({ id: 2147483647, name })), name).toBe(2147483647);
    }
  });

  it('let the id decide, so a renamed program keeps its connection', () => {
    expect(programIdFromObjectName('An old name the program no longer has (program 1001)')).toBe(1001);
  });

  it('still accept the program_<id> names of earlier versions', () => {
    expect(programIdFromObjectName('program_1001')).toBe(1001);
  });

  it('refuse names that carry no valid program id', () => {
    for (const name of [
      'contacts',
      'Welcome journey',
      'Welcome journey (program 0)',
      'Welcome journey (program 01)',
      'Welcome journey (program 2147483648)',
      'Welcome journey (program 1001) ',
      'program_0',
      'program_1001x',
      'xprogram_1001',
    ]) {
      expect(programIdFromObjectName(name), name).toBeUndefined();
    }
  });
});
