import { neutraliseCell } from './csv-cell';

describe('neutraliseCell', () => {
  it('prefixes a quote to cells a spreadsheet would read as a formula', () => {
    expect(neutraliseCell('=SUM(1+1)')).toBe("'=SUM(1+1)");
    expect(neutraliseCell('+12025550123')).toBe("'+12025550123");
    expect(neutraliseCell('-2+3')).toBe("'-2+3");
    expect(neutraliseCell('@cmd')).toBe("'@cmd");
    expect(neutraliseCell('\tx')).toBe("'\tx");
    expect(neutraliseCell('\rx')).toBe("'\rx");
  });

  it('leaves other cells alone', () => {
    expect(neutraliseCell('Ada')).toBe('Ada');
    expect(neutraliseCell('')).toBe('');
    expect(neutraliseCell('a=b')).toBe('a=b');
    expect(neutraliseCell(' =x')).toBe(' =x');
  });
});
