import { audienceCondition, dispatchOrder, FilterClause, filterProblems, isNumeric } from './audience';

const clause = (predicates: FilterClause['predicates'], filterType: 'AND' | 'OR' = 'AND'): FilterClause => ({ filterType, predicates });

describe('filterProblems', () => {
  const columns = ['name', 'balance'];
  it('accepts predicates on the list columns with values of their type', () => {
    expect(
      filterProblems(
        [clause([{ column: 'balance', columnType: 'numeric', operator: 'GREATER_THAN', value: '-1.5e2', inverted: false }, { column: 'name', columnType: 'alphabetic', operator: 'IS_EMPTY', inverted: true }])],
        columns,
      ),
    ).toEqual([]);
  });

  it('names the field of every problem', () => {
    const problems = filterProblems(
      [
        clause([
          { column: 'salary', columnType: 'alphabetic', operator: 'EQUALS', value: 'x', inverted: false },
          { column: 'balance', columnType: 'numeric', operator: 'LESS_THAN', value: 'ten', inverted: false },
        ]),
        clause([
          { column: 'balance', columnType: 'numeric', operator: 'CONTAINS', value: '1', inverted: false },
          { column: 'name', columnType: 'alphabetic', operator: 'EQUALS', inverted: false },
          { column: 'name', columnType: 'alphabetic', operator: 'IN', inverted: false },
        ]),
        clause([]),
      ],
      columns,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'clauses[0].predicates[0].column',
      'clauses[0].predicates[1].value',
      'clauses[1].predicates[0].operator',
      'clauses[1].predicates[1].value',
      'clauses[1].predicates[2].range.inSet',
      'clauses[2].predicates',
    ]);
  });
});

describe('isNumeric', () => {
  it.each(['10', ' 10 ', '-3.5', '+2', '.5', '1e3', '7.'])('reads %p as a number', (v) => expect(isNumeric(v)).toBe(true));
  it.each(['', 'n/a', '1,000', '0x10', '--1', '1e'])('does not read %p as a number', (v) => expect(isNumeric(v)).toBe(false));
});

describe('audienceCondition', () => {
  it('is true without filters and false for a filter that no longer exists', () => {
    expect(audienceCondition([], 'c', [])).toBe('true');
    expect(audienceCondition([{ id: 'x', filterType: 'AND', clauses: [], missing: true }], 'c', [])).toBe('false');
  });

  it('combines predicates by the clause type and clauses by the filter type, with values and columns as parameters', () => {
    const params: unknown[] = ['run'];
    const sql = audienceCondition(
      [
        {
          id: 'f',
          filterType: 'OR',
          clauses: [
            clause([{ column: 'tier', columnType: 'alphabetic', operator: 'BEGINS_WITH', value: "G%o'ld", inverted: false }, { column: 'balance', columnType: 'numeric', operator: 'GREATER_THAN_EQUALS', value: '10', inverted: true }], 'AND'),
            clause([{ column: 'name', columnType: 'alphabetic', operator: 'IN', inSet: ['Ann', 'BOB'], inverted: false }]),
          ],
        },
      ],
      'c',
      params,
    );
    expect(sql).toMatch(/^\(\(coalesce\(lower\(coalesce\(c\.data->>\$2, ''\)\) LIKE \$3, false\) AND NOT coalesce\(.*>= \$5::numeric, false\)\) OR \(coalesce\(lower\(.*\$6.*\) = ANY\(\$7::text\[\]\), false\)\)\)$/);
    // Text comparisons ignore case; LIKE wildcards in values are escaped; user text is only ever a parameter.
    expect(params).toEqual(['run', 'tier', 'g\\%o\'ld%', 'balance', 10, 'name', ['ann', 'bob']]);
    expect(sql).not.toContain("o'ld");
  });
});

describe('dispatchOrder', () => {
  it('puts priority first, then the sorts with values that are not numbers last, then insertion order', () => {
    const params: unknown[] = [];
    const order = dispatchOrder(
      [
        { fieldName: 'balance', direction: 'DESC', numeric: true },
        { fieldName: 'name', direction: 'ASC', numeric: false },
      ],
      'rc',
      'c',
      params,
    );
    expect(order).toMatch(/^rc\.priority DESC, \(CASE WHEN \(c\.data->>\$1\) ~ .* THEN \(c\.data->>\$1\)::numeric END\) DESC NULLS LAST, c\.data->>\$2 ASC NULLS LAST, rc\.seq$/);
    expect(params).toEqual(['balance', 'name']);
    expect(dispatchOrder([], 'rc', 'c', [])).toBe('rc.priority DESC, rc.seq');
  });
});
