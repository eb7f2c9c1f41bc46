/**
 * The signalering statements in PostgreSQL's dialect: the same figures, keys and rules as
 * src/reports/signalering-sql.ts (read that file first: every choice is explained there), written
 * with jsonb operators instead of SQLite's JSON functions. The facts column is text (the audit
 * hashes its exact bytes) and is parsed once per case (`fx`).
 *
 * Parameters: $1 start, $2 end (of the period, ISO instants), $3 cutoff (as-of date minus three
 * months), $4 the as-of year, $5 the region (when the scope is one region). Rows are
 * (figure text, key text, n int, p50 float8, p90 float8), as the SQLite statements give them;
 * boolean keys are '0' and '1' there, so here too. Ranks stay integers (sum() of counts is numeric
 * in PostgreSQL, cast back), so `(n + 1) / 2` divides as in SQLite.
 */
import { CLOSED_AS, COMMITMENT_SETTLEMENT, type ScopeKind } from '../sqlite/signalering-sql.ts';

const region = (scope: ScopeKind, column = 'region'): string => (scope === 'region' ? ` AND ${column} = $5` : '');
const inPeriod = (at: string): string => `(${at} >= $1 AND ${at} < $2)`;
/** Days since the epoch, fractional: differences are days, as julianday's are. */
const jd = (at: string): string => `(extract(epoch FROM (${at})::timestamptz) / 86400.0)`;
const days = (to: string, from: string): string => `${jd(to)} - ${jd(from)}`;
/** The elements of a jsonb value that may be missing or not an array: none then, as json_each. */
const elementsOf = (value: string): string =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE '[]'::jsonb END)`;
const textsOf = (value: string): string =>
  `jsonb_array_elements_text(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE '[]'::jsonb END)`;
const tenth = (value: string): string => `round((${value})::numeric, 1)::float8`;

const OVERLEGGEN = `(SELECT jsonb_agg(jsonb_build_array(o.value #>> '{youth,participation}',
  o.value #>> '{parents,participation}', o.value -> 'disruptions', o.value #>> '{youth,reason}',
  o.value #>> '{parents,reason}')) FROM ${elementsOf("fx -> 'overleggen'")} o WHERE ${inPeriod("o.value ->> 'at'")})`;

const SCHOOL_AT_END = `coalesce((SELECT jsonb_build_array(u.value ->> 'status', u.value ->> 'notAttendingSince')
  FROM ${elementsOf("fx -> 'school'")} WITH ORDINALITY u(value, key) WHERE u.value ->> 'at' < $2 ORDER BY u.key DESC LIMIT 1),
  jsonb_build_array(fx #>> '{school,0,status}', fx #>> '{school,0,notAttendingSince}'))`;

const HELP_ITEMS = `(SELECT jsonb_agg(jsonb_build_array(h.value ->> 'kind', h.value -> 'waitingWeeks', a.value ->> 'at'))
  FROM ${elementsOf("fx -> 'advices'")} a, ${elementsOf("a.value -> 'helpItems'")} h WHERE ${inPeriod("a.value ->> 'at'")})`;

const raw = (scope: ScopeKind): string => `SELECT id, seq, state, updated_at, municipality,
    fx ->> 'submittedAt' AS submitted_at, fx ->> 'referrer' AS referrer,
    fx -> 'problemAreas' AS areas, ${SCHOOL_AT_END} AS school_at_end,
    (fx ->> 'birthYear')::int AS birth_year,
    fx #>> '{decision,type}' AS decision, fx #>> '{decision,at}' AS decided_at,
    fx #>> '{closure,type}' AS closure, fx #>> '{closure,at}' AS closed_at,
    fx ->> 'firstEscalationAt' AS escalated_at,
    fx #>> '{closure,outcome}' AS outcome, fx #>> '{closure,familyViewOfFit}' AS fit,
    fx #>> '{overleggen,0,at}' AS overleg_at, fx #>> '{overleggen,0,heldAt}' AS held_at,
    fx #>> '{advices,0,at}' AS advised_at, fx ->> 'helpStartedAt' AS started_at,
    CASE WHEN (fx -> 'overleggen' -> -1 ->> 'at') >= $1 THEN ${OVERLEGGEN} END AS overleggen,
    CASE WHEN (fx -> 'advices' -> -1 ->> 'at') >= $1 THEN ${HELP_ITEMS} END AS items,
    CASE WHEN (fx -> 'advices' -> -1 ->> 'at') >= $1 THEN (SELECT max(b.value)
      FROM ${textsOf("fx -> 'bridgingPlans'")} b(value) WHERE b.value < $2) END AS planned_at
  FROM (SELECT id, seq, state, updated_at, municipality, facts::jsonb AS fx FROM cases
    WHERE created_at < $2 AND NOT (state = 'closed' AND updated_at < $1)${region(scope)}) AS c`;

/** The first overleg's moment (SQLite's scalar max/min: NULL when a part is NULL). */
const OVERLEG = `CASE WHEN decided_at IS NULL OR overleg_at IS NULL THEN NULL ELSE greatest(${jd('decided_at')},
  least(coalesce(${jd('held_at')}, ${jd('overleg_at')}), ${jd('overleg_at')})) END`;

const STATE_AT_END = `CASE WHEN updated_at < $2 THEN state ELSE (SELECT e.state FROM case_events e
  WHERE e.case_id = c.id AND e.at < $2 ORDER BY e.version DESC LIMIT 1) END`;

const submittedOnly = (column: string): string => `CASE WHEN ${inPeriod('submitted_at')} THEN ${column} END`;
const closedOnly = (column: string): string =>
  `CASE WHEN closure = 'CLOSE' AND ${inPeriod('closed_at')} THEN ${column} END`;

const facts = (scope: ScopeKind): string => `SELECT seq,
    ${submittedOnly('municipality')} AS municipality, ${submittedOnly('referrer')} AS referrer,
    ${submittedOnly('areas')} AS areas,
    CASE WHEN decision = 'ACCEPT' AND ${inPeriod('decided_at')} THEN decision END AS accepted,
    CASE WHEN ${inPeriod('closed_at')} THEN closure END AS closure,
    CASE WHEN ${inPeriod('escalated_at')} THEN 'ESCALATE' END AS escalated,
    ${closedOnly('outcome')} AS outcome, ${closedOnly('fit')} AS fit,
    CASE WHEN ${inPeriod('decided_at')} THEN ${days('decided_at', 'submitted_at')} END AS d_triage,
    CASE WHEN decision = 'ACCEPT' AND ${inPeriod('overleg_at')} THEN (${OVERLEG}) - ${jd('decided_at')} END AS d_overleg,
    CASE WHEN ${inPeriod('advised_at')} THEN ${jd('advised_at')} - (${OVERLEG}) END AS d_advice,
    CASE WHEN ${inPeriod('started_at')} THEN ${days('started_at', 'advised_at')} END AS d_help,
    ${STATE_AT_END} AS state, school_at_end ->> 0 AS school,
    school_at_end ->> 1 AS since, birth_year, overleggen, items, planned_at
  FROM (${raw(scope)}) AS c`;

const count = (figure: string, key: string, from = 'f', where = `${key} IS NOT NULL`): string =>
  `SELECT '${figure}'::text AS figure, (${key})::text AS key, count(*)::int AS n, NULL::float8 AS p50, NULL::float8 AS p90 ` +
  `FROM ${from} WHERE ${where} GROUP BY 2`;

const HISTOGRAM = ['d_triage', 'd_overleg', 'd_advice', 'd_help']
  .map((d) => `SELECT '${d}'::text AS kind, ${tenth(d)} AS v, count(*) AS c FROM f WHERE ${d} IS NOT NULL GROUP BY 2`)
  .concat(`SELECT 'waitingWeeks', ${tenth('waiting')}, count(*) FROM items WHERE waiting > 0 GROUP BY 2`)
  .join(' UNION ALL ');

const SCHOOL_AGE = '($4 - birth_year >= 5 AND $4 - birth_year - 1 <= 17)';
const OVERLEG_ROWS = "f, jsonb_array_elements(f.overleggen) o(value)";

const FIGURES = [
  count('submitted.referrerKind', 'referrer'),
  count('submitted.municipality', 'municipality'),
  count('submitted.problemArea', 'a.value', `f, ${textsOf('f.areas')} a(value)`, 'f.areas IS NOT NULL'),
  count('decision', 'accepted'),
  count('decision', 'closure'),
  count('decision', 'escalated'),
  count('closed.outcome', 'outcome'),
  count('closed.as', CLOSED_AS, 'f', 'closure IS NOT NULL'),
  count('closed.familyViewOfFit', 'fit'),
  count('overleg.youth', 'o.value ->> 0', OVERLEG_ROWS, 'f.overleggen IS NOT NULL'),
  count('overleg.parents', 'o.value ->> 1', OVERLEG_ROWS, 'f.overleggen IS NOT NULL'),
  count('overleg.disruption', 'd.value', `${OVERLEG_ROWS}, ${textsOf('o.value -> 2')} d(value)`, 'f.overleggen IS NOT NULL'),
  ...(['youth', 'parents'] as const).map((who, i) => count(`overleg.${who}Reason`, `o.value ->> ${i + 3}`,
    OVERLEG_ROWS, `f.overleggen IS NOT NULL AND o.value ->> ${i + 3} IS NOT NULL`)),
  `SELECT 'advice', '', count(DISTINCT seq || ' ' || at)::int, NULL::float8, NULL::float8 FROM items`,
  count('helpItem.kind', 'kind', 'items', 'true'),
  count('helpItem.waiting', '(waiting > 0)::int', 'items', 'true'),
  count('waitingCase.bridged', 'coalesce((planned_at >= first_at)::int, 0)', 'waiting', 'true'),
  count('open.state', 'state', 'f', `state <> 'closed'`),
  count('open.school', 'school', 'f', `state <> 'closed'`),
  count('open.notAttending', `CASE WHEN NOT ${SCHOOL_AGE} THEN 'outside_school_age' ` +
    `WHEN since < $3 THEN 'more_than_3_months' ELSE 'up_to_3_months' END`,
    'f', `state <> 'closed' AND school = 'not_attending'`),
  `SELECT 'distribution', kind, max(n)::int, min(CASE WHEN upto >= (n + 1) / 2 THEN v END), ` +
    `min(CASE WHEN upto >= (9 * n + 9) / 10 THEN v END) FROM cumulative GROUP BY kind`,
].join('\nUNION ALL ');

export function pgSignaleringSql(scope: ScopeKind): string {
  return `WITH f AS MATERIALIZED (${facts(scope)}),
  items AS MATERIALIZED (SELECT f.seq AS seq, f.planned_at AS planned_at, i.value ->> 0 AS kind,
    (i.value ->> 1)::float8 AS waiting, i.value ->> 2 AS at FROM f, jsonb_array_elements(f.items) i(value)
    WHERE f.items IS NOT NULL),
  waiting AS (SELECT seq, planned_at, min(at) AS first_at FROM items WHERE waiting > 0 GROUP BY seq, planned_at),
  histogram AS (${HISTOGRAM}),
  cumulative AS (SELECT kind, v, (sum(c) OVER (PARTITION BY kind ORDER BY v))::bigint AS upto,
    (sum(c) OVER (PARTITION BY kind))::bigint AS n FROM histogram)
  ${FIGURES}`;
}

export const pgMunicipalitiesSql = (scope: ScopeKind): string =>
  `SELECT DISTINCT municipality FROM cases${scope === 'region' ? ' WHERE region = $1' : ''}`;

export function pgDeadlinesSql(scope: ScopeKind): string {
  return `SELECT 'deadline.passed'::text AS figure, e.payload::jsonb ->> 'deadline' AS key,
    count(DISTINCT e.case_id)::int AS n, NULL::float8 AS p50, NULL::float8 AS p90
    FROM case_events e ${scope === 'region' ? 'JOIN cases c ON c.id = e.case_id AND c.region = $3' : ''}
    WHERE e.type = 'DEADLINE_PASSED' AND e.at >= $1 AND e.at < $2 GROUP BY 2`;
}

export function pgFollowUpSql(scope: ScopeKind): string {
  const own = scope === 'region' ? 'JOIN cases c ON c.id = e.case_id AND c.region = $3' : '';
  const entries = (type: string) => `SELECT e.* FROM case_events e ${own} WHERE e.type = '${type}'`;
  return `WITH u AS (SELECT case_id, at, payload::jsonb ->> 'itemId' AS item,
      payload::jsonb ->> 'status' AS status, payload::jsonb ->> 'date' AS day
      FROM (${entries('UPDATE_HELP_ITEM')}) x WHERE at >= $1 AND at < $2),
    weeks AS (SELECT ${tenth(`(${jd('u.day')} - ${jd('substr(a.at, 1, 10)')}) / 7.0`)} AS v
      FROM u JOIN case_events a ON a.case_id = u.case_id AND a.type = 'ISSUE_ADVICE'
      JOIN LATERAL ${elementsOf("a.payload::jsonb -> 'helpItems'")} h ON h.value ->> 'id' = u.item
      WHERE u.status = 'started'),
    cumulative AS (SELECT v, (sum(c) OVER (ORDER BY v))::bigint AS upto, (sum(c) OVER ())::bigint AS n
      FROM (SELECT v, count(*) AS c FROM weeks GROUP BY v) w),
    esc AS (SELECT x.case_id, x.at, CASE x.payload::jsonb ->> 'to' WHEN 'supra_regional' THEN 'ben'
        WHEN 'national' THEN 'other' ELSE x.payload::jsonb ->> 'to' END AS to_,
      (SELECT min(o.at) FROM case_events o WHERE o.case_id = x.case_id AND o.type = 'RECORD_ESCALATION_OUTCOME'
        AND o.at > x.at AND o.at < $2) AS answered_at,
      (SELECT min(d.at) FROM case_events d WHERE d.case_id = x.case_id AND d.type = 'DEADLINE_PASSED'
        AND d.payload::jsonb ->> 'deadline' = 'escalation' AND d.at > x.at AND d.at < $2) AS passed_at
      FROM (${entries('ESCALATE')}) x WHERE x.at >= $1 AND x.at < $2),
    made AS (SELECT m.case_id, CASE m.type WHEN 'RECORD_OVERLEG' THEN 'overleg' ELSE 'escalation' END AS source,
        k.value ->> 'id' AS id
      FROM (SELECT e.* FROM case_events e ${own} WHERE e.type IN ('RECORD_OVERLEG', 'RECORD_ESCALATION_OUTCOME')
        AND e.at >= $1 AND e.at < $2) m
      CROSS JOIN LATERAL ${elementsOf("COALESCE(m.payload::jsonb -> 'commitments', '[]'::jsonb)")} k
      WHERE k.value ->> 'id' IS NOT NULL),
    cm AS (SELECT source,
      (SELECT min(s.at) FROM case_events s WHERE s.case_id = made.case_id AND s.type = 'UPDATE_COMMITMENT'
        AND s.payload::jsonb ->> 'commitmentId' = made.id AND s.at < $2) AS settled_at,
      (SELECT min(d.at) FROM case_events d WHERE d.case_id = made.case_id AND d.type = 'DEADLINE_PASSED'
        AND d.payload::jsonb ->> 'commitmentId' = made.id AND d.at < $2) AS passed_at,
      (SELECT min(w.at) FROM case_events w WHERE w.case_id = made.case_id AND w.type = 'WITHDRAW' AND w.at < $2) AS withdrawn_at
      FROM made)
  SELECT 'helpItem.change'::text AS figure, status AS key, count(*)::int AS n, NULL::float8 AS p50, NULL::float8 AS p90
    FROM u GROUP BY status
  UNION ALL SELECT 'distribution', 'weeksToStart', max(n)::int, min(CASE WHEN upto >= (n + 1) / 2 THEN v END),
    min(CASE WHEN upto >= (9 * n + 9) / 10 THEN v END) FROM cumulative HAVING count(*) > 0
  UNION ALL SELECT 'escalation.to', to_, count(*)::int, NULL, NULL FROM esc GROUP BY to_
  UNION ALL SELECT 'escalation.answer', CASE WHEN answered_at IS NULL THEN 'unanswered'
      WHEN passed_at IS NULL OR passed_at > answered_at THEN 'in_time' ELSE 'late' END, count(*)::int, NULL, NULL
    FROM esc GROUP BY 2
  UNION ALL SELECT 'commitment.source', source, count(*)::int, NULL, NULL FROM cm GROUP BY source
  UNION ALL SELECT 'commitment.settlement', ${COMMITMENT_SETTLEMENT}, count(*)::int, NULL, NULL FROM cm GROUP BY 2`;
}
