// The one place where a campaign's contact list filters and contact sorts become SQL: which
// contacts join a run's audience (filters) and in what order the dispatcher takes them (sorts).
// Anything that must agree with a campaign's audience (the dispatcher, contacts joining a running
// campaign, a pre-launch preview) calls these functions.
import type { ContactSortV1 } from '@herald/contracts';

export const FILTER_TYPES = ['AND', 'OR'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];
export const COLUMN_TYPES = ['alphabetic', 'numeric'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
/** Genesys `ContactListFilterPredicate.operator` values Herald implements, plus `IS_EMPTY` (Herald). */
export const OPERATORS = ['EQUALS', 'CONTAINS', 'BEGINS_WITH', 'ENDS_WITH', 'GREATER_THAN', 'GREATER_THAN_EQUALS', 'LESS_THAN', 'LESS_THAN_EQUALS', 'IN', 'IS_EMPTY'] as const;
export type Operator = (typeof OPERATORS)[number];
const TEXT_ONLY: Operator[] = ['CONTAINS', 'BEGINS_WITH', 'ENDS_WITH'];
const ORDERED: Operator[] = ['GREATER_THAN', 'GREATER_THAN_EQUALS', 'LESS_THAN', 'LESS_THAN_EQUALS'];

export interface FilterPredicate {
  column: string;
  columnType: ColumnType;
  operator: Operator;
  value?: string;
  /** For `IN`: the values (Genesys `range.inSet`). */
  inSet?: string[];
  inverted: boolean;
}
export interface FilterClause {
  filterType: FilterType;
  predicates: FilterPredicate[];
}
/** A contact list filter as stored (Genesys `ContactListFilter`, the fields that select contacts). */
export interface ContactFilter {
  id: string;
  filterType: FilterType;
  clauses: FilterClause[];
  /** The filter no longer exists: it matches nobody. */
  missing?: boolean;
}

/** A problem with a filter or sort, naming the field at fault. */
export interface AudienceProblem {
  field: string;
  reason: string;
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

export function isNumeric(value: string): boolean {
  return NUMBER.test(value);
}

/** Checks a filter's clauses against the list's columns; returns every problem (empty if none). */
export function filterProblems(clauses: FilterClause[], columns: string[]): AudienceProblem[] {
  const problems: AudienceProblem[] = [];
  clauses.forEach((clause, i) => {
    if (clause.predicates.length === 0) problems.push({ field: `clauses[${i}].predicates`, reason: 'a clause needs at least one predicate' });
    clause.predicates.forEach((p, j) => {
      const at = `clauses[${i}].predicates[${j}]`;
      if (!columns.includes(p.column)) problems.push({ field: `${at}.column`, reason: `"${p.column}" is not a column of the contact list` });
      if (p.columnType === 'numeric' && TEXT_ONLY.includes(p.operator)) {
        problems.push({ field: `${at}.operator`, reason: `${p.operator} compares text; use columnType "alphabetic"` });
      }
      if (p.operator === 'IN') {
        if (!p.inSet?.length) problems.push({ field: `${at}.range.inSet`, reason: 'IN needs range.inSet with at least one value' });
        else if (p.columnType === 'numeric' && !p.inSet.every(isNumeric)) problems.push({ field: `${at}.range.inSet`, reason: 'every value must be a number for a numeric column' });
      } else if (p.operator !== 'IS_EMPTY') {
        if (p.value === undefined) problems.push({ field: `${at}.value`, reason: `${p.operator} needs a value` });
        else if (p.columnType === 'numeric' && !isNumeric(p.value)) problems.push({ field: `${at}.value`, reason: `"${p.value}" is not a number` });
      }
    });
  });
  return problems;
}

/** Appends a parameter and returns its placeholder. */
function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** The column's value as text ('' when the contact has none). */
function textOf(alias: string, column: string, params: unknown[]): string {
  return `coalesce(${alias}.data->>${param(params, column)}, '')`;
}

/** The column's value as a number, NULL when it is not one. */
function numberOf(alias: string, column: string, params: unknown[]): string {
  const text = `(${alias}.data->>${param(params, column)})`;
  return `(CASE WHEN ${text} ~ '${NUMBER.source}' THEN ${text}::numeric END)`;
}

const COMPARE: Partial<Record<Operator, string>> = { EQUALS: '=', GREATER_THAN: '>', GREATER_THAN_EQUALS: '>=', LESS_THAN: '<', LESS_THAN_EQUALS: '<=' };

/** One predicate as a boolean that is never NULL. Text comparisons ignore case. */
function predicateSql(p: FilterPredicate, alias: string, params: unknown[]): string {
  let sql: string;
  if (p.operator === 'IS_EMPTY') {
    sql = `${textOf(alias, p.column, params)} = ''`;
  } else if (p.columnType === 'numeric') {
    const n = numberOf(alias, p.column, params);
    sql = p.operator === 'IN' ? `${n} = ANY(${param(params, p.inSet!.map(Number))}::numeric[])` : `${n} ${COMPARE[p.operator]} ${param(params, Number(p.value))}::numeric`;
  } else {
    const t = `lower(${textOf(alias, p.column, params)})`;
    const v = (p.value ?? '').toLowerCase();
    const like = (pattern: string) => `${t} LIKE ${param(params, pattern)}`;
    const escaped = v.replace(/[\\%_]/g, '\\$&');
    if (p.operator === 'CONTAINS') sql = like(`%${escaped}%`);
    else if (p.operator === 'BEGINS_WITH') sql = like(`${escaped}%`);
    else if (p.operator === 'ENDS_WITH') sql = like(`%${escaped}`);
    else if (p.operator === 'IN') sql = `${t} = ANY(${param(params, p.inSet!.map((x) => x.toLowerCase()))}::text[])`;
    else if (ORDERED.includes(p.operator) || p.operator === 'EQUALS') sql = `${t} ${COMPARE[p.operator]} ${param(params, v)}`;
    else throw new Error(`unknown operator ${p.operator as string}`);
  }
  const safe = `coalesce(${sql}, false)`;
  return p.inverted ? `NOT ${safe}` : safe;
}

/**
 * The SQL condition a contact (table alias `alias`, with `data` jsonb) must meet to join an
 * audience restricted by `filters`: every filter must match (a filter combines its clauses with
 * its `filterType`, a clause its predicates with the clause's `filterType`). No filters: `true`.
 * Parameters are appended to `params`.
 */
export function audienceCondition(filters: ContactFilter[], alias: string, params: unknown[]): string {
  if (filters.length === 0) return 'true';
  return filters
    .map((f) => {
      if (f.missing) return 'false';
      if (f.clauses.length === 0) return 'true';
      const clauses = f.clauses.map((c) => `(${c.predicates.map((p) => predicateSql(p, alias, params)).join(` ${c.filterType} `)})`);
      return `(${clauses.join(` ${f.filterType} `)})`;
    })
    .join(' AND ');
}

/**
 * The dispatch order of a run's contacts: priority contacts first, then the campaign's sorts
 * (values that are not numbers, for a numeric sort, come last), then insertion order. `run` is
 * the `run_contact` alias, `contact` the `contact` alias.
 */
export function dispatchOrder(sorts: ContactSortV1[], run: string, contact: string, params: unknown[]): string {
  const keys = sorts.map((s) => `${s.numeric ? numberOf(contact, s.fieldName, params) : `${contact}.data->>${param(params, s.fieldName)}`} ${s.direction === 'DESC' ? 'DESC' : 'ASC'} NULLS LAST`);
  return [`${run}.priority DESC`, ...keys, `${run}.seq`].join(', ');
}

/** Runs a query and answers its rows: TypeORM's `query`, or a pg client wrapped as `(t, p) => c.query(t, p).then((r) => r.rows)`. */
export type Sql = (text: string, params?: unknown[]) => Promise<any[]>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The stored filters of these ids, in no particular order (unknown ids are left out). */
export async function loadFilters(sql: Sql, ids: string[]): Promise<(ContactFilter & { listId: string })[]> {
  if (ids.length === 0) return [];
  const rows: { id: string; list_id: string; filter_type: FilterType; clauses: FilterClause[] }[] = await sql(
    'SELECT id, list_id, filter_type, clauses FROM contacts.contact_list_filter WHERE id = ANY($1)',
    [ids],
  );
  return rows.map((r) => ({ id: r.id, listId: r.list_id, filterType: r.filter_type, clauses: r.clauses }));
}

/**
 * A campaign's filters by id, in its order, as a run applies them: a filter deleted since the
 * campaign was saved matches nobody (`missing`). The dispatcher copies these into a run; the
 * pre-launch preview applies them the same way.
 */
export async function filtersByIds(sql: Sql, ids: string[], onMissing?: (id: string) => void): Promise<ContactFilter[]> {
  const found = await loadFilters(sql, ids);
  return ids.map((id) => {
    const f = found.find((x) => x.id === id);
    if (!f) onMissing?.(id);
    return f ? { id, filterType: f.filterType, clauses: f.clauses } : { id, filterType: 'AND', clauses: [], missing: true };
  });
}

/**
 * How a list's contacts split under `filters`: `matching` join a campaign's audience,
 * `filteredOut` never do. For a pre-launch preview; the same condition the runs use.
 */
export async function countAudience(sql: Sql, listId: string, filters: ContactFilter[]): Promise<{ total: number; matching: number; filteredOut: number }> {
  const params: unknown[] = [listId];
  const condition = audienceCondition(filters, 'c', params);
  const [row] = await sql(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${condition})::int AS matching FROM contacts.contact c WHERE c.list_id = $1`,
    params,
  );
  return { total: row.total, matching: row.matching, filteredOut: row.total - row.matching };
}

/** What contacts keeps of a run's audience settings (in `dispatch_run.config`). */
export interface AudienceSettings {
  filters?: ContactFilter[];
  sorts?: ContactSortV1[];
}

/**
 * Adds contacts of a list to the audience of its runs in progress (`on`, `off` or `stopping`),
 * each run keeping only the contacts its filters match. `contacts` selects which: ids, or the
 * rows of a staging table with an `id` column. A contact already in a run keeps its place; with
 * `updatePriority` a not-yet-dispatched one takes its new priority. Recounts the runs' totals.
 */
export async function joinRuns(
  sql: Sql,
  listId: string,
  contacts: { ids: string[] } | { stage: string },
  options: { updatePriority?: boolean } = {},
): Promise<void> {
  const runs: { run_id: string; config: AudienceSettings }[] = await sql(
    `SELECT run_id, config FROM contacts.dispatch_run WHERE list_id = $1 AND status IN ('on', 'off', 'stopping')`,
    [listId],
  );
  for (const run of runs) {
    const params: unknown[] = [run.run_id, listId];
    const which = 'ids' in contacts ? `c.id = ANY(${param(params, contacts.ids)})` : `c.id IN (SELECT id FROM ${contacts.stage})`;
    const condition = audienceCondition(run.config.filters ?? [], 'c', params);
    await sql(
      `INSERT INTO contacts.run_contact (run_id, contact_id, priority, seq)
       SELECT $1, c.id, c.priority, c.seq FROM contacts.contact c
        WHERE c.list_id = $2 AND ${which} AND ${condition}
       ON CONFLICT (run_id, contact_id) DO ${
         options.updatePriority ? 'UPDATE SET priority = EXCLUDED.priority WHERE contacts.run_contact.dispatched_at IS NULL' : 'NOTHING'
       }`,
      params,
    );
  }
  if (runs.length) {
    await sql(
      `UPDATE contacts.dispatch_run r SET total = (SELECT count(*) FROM contacts.run_contact rc WHERE rc.run_id = r.run_id), exhausted = false
        WHERE r.list_id = $1 AND r.status IN ('on', 'off', 'stopping')`,
      [listId],
    );
  }
}
