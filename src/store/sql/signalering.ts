/**
 * The SQL of the signalering report, written once over a dialect (dialect.ts) for both stores:
 * read-only statements over the cases table and the trail that return rows of one shape,
 * (figure, key, n, p50, p90): a count per key, or the size and percentiles of a distribution.
 * Parameters: @start and @end (the period, ISO instants), @cutoff (the as-of date minus three
 * months), @asOfYear, @region (when the scope is one region or one municipality), @municipality (when
 * the scope is one municipality of a region, §6.4).
 *
 * Source: each case's report facts (the `facts` column, machines/referral.facts.ts), which the
 * engine writes with every change in the same statement as the snapshot; never the machine's
 * context, so a new record shape cannot move a figure unnoticed. One row per case is one small
 * JSON parse: SQLite caches the parse for all json_extract calls of a row and walks arrays with
 * jsonb_each over JSONB parts of that parse, not parsed again; PostgreSQL parses `facts::jsonb`
 * once per case (dialect.casesWithFacts). The trail is read only for the state at the end of a
 * past period of a case that changed after it. Cases closed before the period began are not
 * parsed at all.
 *
 * The first pass boils every case down to a narrow row `f` (its keys and durations in the
 * period, NULL where the case does not count); every figure is then a GROUP BY over `f`.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
 * ceil(p/100 · n), so the median of an even count is the lower middle value and every figure is
 * a duration that really occurred. Values are rounded to 0.1 (day, week) first and counted per
 * value; rounding keeps the order, so the rank of the rounded values gives the rounded value.
 * Ranks are integers in both dialects (PostgreSQL's sum() of counts is numeric, cast back), so
 * `(n + 1) / 2` divides as integers.
 *
 * Result columns are cast for PostgreSQL (figure and key text, n int, p50 and p90 float8); boolean
 * keys are 0 and 1 in both (src/reports/signalering-raw.ts makes keys strings).
 */
import type { Dialect, Statement } from './dialect.ts';

export type ScopeKind = 'region' | 'all' | 'municipality';

/** The condition on a cases table (alias `c.` or none) that keeps the scope's cases; '' for all. */
export function ownCases(scope: ScopeKind, alias = ''): string {
  if (scope === 'all') return '';
  const region = `${alias}region = @region`;
  return scope === 'region' ? region : `${region} AND ${alias}municipality = @municipality`;
}

/** A JOIN of the trail's entries `e` to the scope's cases; '' for all. */
const joinOwn = (scope: ScopeKind): string =>
  (scope === 'all' ? '' : `JOIN cases c ON c.id = e.case_id AND ${ownCases(scope, 'c.')}`);

export interface SignaleringStatements {
  figures: Statement;
  deadlines: Statement;
  followUp: Statement;
  /** One column, `municipality`. */
  municipalities: Statement;
}

/** Every statement of the report for one scope kind, in the dialect's terms. */
export function signaleringStatements(d: Dialect, scope: ScopeKind): SignaleringStatements {
  return {
    figures: d.statement(signaleringSql(d, scope)),
    deadlines: d.statement(deadlinesSql(d, scope)),
    followUp: d.statement(followUpSql(d, scope)),
    municipalities: d.statement(municipalitiesSql(scope)),
  };
}

const inPeriod = (at: string): string => `(${at} >= @start AND ${at} < @end)`;

/** How a case closed in the period ended (§6.1 closedAs), from the closure and CLOSE's outcome. */
const CLOSED_AS = 'CASE closure WHEN \'DECLINE\' THEN \'declined\' WHEN \'CONSULT\' THEN \'consulted\' ' +
  'WHEN \'WITHDRAW\' THEN \'withdrawn\' WHEN \'ESCALATE\' THEN \'escalated\' ELSE outcome END';

/**
 * A commitment made in the period (§6.1), as of the end of the period: settled before or after its
 * deadline passed, withdrawn with the case, or still open.
 */
const COMMITMENT_SETTLEMENT = 'CASE WHEN settled_at IS NOT NULL THEN CASE WHEN passed_at IS NULL ' +
  'OR passed_at > settled_at THEN \'in_time\' ELSE \'late\' END WHEN withdrawn_at IS NOT NULL THEN \'withdrawn\' ELSE \'open\' END';

/** Rows of one figure: per key, the number of rows of `from` where `where` holds. */
function counter(d: Dialect) {
  return (figure: string, key: string, from = 'f', where = `${key} IS NOT NULL`): string =>
    `SELECT ${d.cast(`'${figure}'`, 'text')} AS figure, ${d.cast(key, 'text')} AS key, ${d.cast('count(*)', 'int')} AS n, ` +
    `${d.cast('NULL', 'float')} AS p50, ${d.cast('NULL', 'float')} AS p90 FROM ${from} WHERE ${where} GROUP BY 2`;
}

/**
 * Every figure of the period [@start, @end) for the caller's cases. `@cutoff` is the as-of date
 * minus 3 months: a thuiszitter out of school since before it counts for the Thuiszitterspact.
 */
export function signaleringSql(d: Dialect, scope: ScopeKind): string {
  const fact = (path: string): string => d.pathText(d.facts, path);
  const at = d.pathText;
  const int = (value: string): string => d.cast(value, 'int');

  /**
   * [youth participation, parents participation, disruptions, youth's reason code, parents' reason
   * code] of each overleg in the period.
   */
  const OVERLEGGEN = `(SELECT ${d.arrayAgg(d.array(at('o.value', 'youth.participation'),
    at('o.value', 'parents.participation'), d.pathJson('o.value', 'disruptions'), at('o.value', 'youth.reason'),
    at('o.value', 'parents.reason')))} ` +
    `FROM ${d.each(d.pathJson(d.facts, 'overleggen'), 'o')} WHERE ${inPeriod(at('o.value', 'at'))})`;

  /**
   * [status, notAttendingSince] of the school as it stood at the end of the period: the latest
   * entry of its history before it (the submission's is the first), else the submission's.
   */
  const SCHOOL_AT_END = `coalesce((SELECT ${d.array(at('u.value', 'status'), at('u.value', 'notAttendingSince'))} ` +
    `FROM ${d.each(d.pathJson(d.facts, 'school'), 'u', { ordinality: true })} WHERE ${at('u.value', 'at')} < @end ` +
    `ORDER BY u.key DESC LIMIT 1), ${d.array(fact('school[0].status'), fact('school[0].notAttendingSince'))})`;

  /** [kind, waiting weeks, time of the advice] of each help item advised in the period. */
  const HELP_ITEMS = `(SELECT ${d.arrayAgg(d.array(at('h.value', 'kind'), d.pathJson('h.value', 'waitingWeeks'),
    at('a.value', 'at')))} FROM ${d.each(d.pathJson(d.facts, 'advices'), 'a')}, ` +
    `${d.each('a.value', 'h', { path: 'helpItems' })} WHERE ${inPeriod(at('a.value', 'at'))})`;

  /** Raw facts of a case, each read once (d.unflattened: not read again at every use). */
  const raw = `SELECT id, seq, state, updated_at, municipality,
    ${fact('submittedAt')} AS submitted_at, ${fact('referrer')} AS referrer,
    ${d.pathJson(d.facts, 'problemAreas')} AS areas, ${SCHOOL_AT_END} AS school_at_end,
    ${int(fact('birthYear'))} AS birth_year,
    ${fact('decision.type')} AS decision, ${fact('decision.at')} AS decided_at,
    ${fact('closure.type')} AS closure, ${fact('closure.at')} AS closed_at,
    ${fact('firstEscalationAt')} AS escalated_at,
    ${fact('closure.outcome')} AS outcome, ${fact('closure.familyViewOfFit')} AS fit,
    ${fact('overleggen[0].at')} AS overleg_at, ${fact('overleggen[0].heldAt')} AS held_at,
    ${fact('advices[0].at')} AS advised_at, ${fact('helpStartedAt')} AS started_at,
    CASE WHEN ${fact('overleggen[-1].at')} >= @start THEN ${OVERLEGGEN} END AS overleggen,
    CASE WHEN ${fact('advices[-1].at')} >= @start THEN ${HELP_ITEMS} END AS items,
    CASE WHEN ${fact('advices[-1].at')} >= @start THEN (SELECT max(b.value)
      FROM ${d.each(d.pathJson(d.facts, 'bridgingPlans'), 'b', { text: true })} WHERE b.value < @end) END AS planned_at
  ${d.casesWithFacts(['id', 'seq', 'state', 'updated_at', 'municipality'],
    `created_at < @end AND NOT (state = 'closed' AND updated_at < @start)${scope === 'all' ? '' : ` AND ${ownCases(scope)}`}`)}${
    d.unflattened}`;

  /**
   * The first overleg: its heldAt, kept between the acceptance and the moment it was recorded.
   * NULL when the acceptance or the overleg is missing (SQLite's scalar max and min would give
   * NULL; PostgreSQL's greatest and least would skip it).
   */
  const OVERLEG = `CASE WHEN decided_at IS NULL OR overleg_at IS NULL THEN NULL ELSE ${d.greatest(d.day('decided_at'),
    d.least(`coalesce(${d.day('held_at')}, ${d.day('overleg_at')})`, d.day('overleg_at')))} END`;

  /** The state at the end of the period: the current one, unless the case changed after it. */
  const STATE_AT_END = 'CASE WHEN updated_at < @end THEN state ELSE (SELECT e.state FROM case_events e ' +
    'WHERE e.case_id = c.id AND e.at < @end ORDER BY e.version DESC LIMIT 1) END';

  const days = (to: string, from: string): string => `${d.day(to)} - ${d.day(from)}`;
  const submittedOnly = (column: string): string => `CASE WHEN ${inPeriod('submitted_at')} THEN ${column} END`;
  const closedOnly = (column: string): string =>
    `CASE WHEN closure = 'CLOSE' AND ${inPeriod('closed_at')} THEN ${column} END`;

  /** One narrow row per case: what it adds to each figure, NULL where it adds nothing. */
  const facts = `SELECT seq,
    ${submittedOnly('municipality')} AS municipality, ${submittedOnly('referrer')} AS referrer,
    ${submittedOnly('areas')} AS areas,
    CASE WHEN decision = 'ACCEPT' AND ${inPeriod('decided_at')} THEN decision END AS accepted,
    CASE WHEN ${inPeriod('closed_at')} THEN closure END AS closure,
    CASE WHEN ${inPeriod('escalated_at')} THEN 'ESCALATE' END AS escalated,
    ${closedOnly('outcome')} AS outcome, ${closedOnly('fit')} AS fit,
    CASE WHEN ${inPeriod('decided_at')} THEN ${days('decided_at', 'submitted_at')} END AS d_triage,
    CASE WHEN decision = 'ACCEPT' AND ${inPeriod('overleg_at')} THEN (${OVERLEG}) - ${d.day('decided_at')} END
      AS d_overleg,
    CASE WHEN ${inPeriod('advised_at')} THEN ${d.day('advised_at')} - (${OVERLEG}) END AS d_advice,
    CASE WHEN ${inPeriod('started_at')} THEN ${days('started_at', 'advised_at')} END AS d_help,
    ${STATE_AT_END} AS state, ${at('school_at_end', '[0]')} AS school,
    ${at('school_at_end', '[1]')} AS since, birth_year, overleggen, items, planned_at
  FROM (${raw}) AS c`;

  const count = counter(d);

  /** Per distribution, how often each value (rounded to 0.1) occurs. */
  const HISTOGRAM = ['d_triage', 'd_overleg', 'd_advice', 'd_help']
    .map((v) => `SELECT ${d.cast(`'${v}'`, 'text')} AS kind, ${d.tenth(v)} AS v, count(*) AS c FROM f ` +
      `WHERE ${v} IS NOT NULL GROUP BY 2`)
    .concat(`SELECT 'waitingWeeks', ${d.tenth('waiting')}, count(*) FROM items WHERE waiting > 0 GROUP BY 2`)
    .join(' UNION ALL ');

  /**
   * A thuiszitter is of compulsory school age (5 to 17, §5.1): some age the youth may have on the
   * as-of day (born in @asOfYear - birth_year - 1 or that year) lies in 5..17.
   */
  const SCHOOL_AGE = '(@asOfYear - birth_year >= 5 AND @asOfYear - birth_year - 1 <= 17)';

  const OVERLEG_ROWS = `f, ${d.each('f.overleggen', 'o')}`;

  const FIGURES = [
    count('submitted.referrerKind', 'referrer'),
    count('submitted.municipality', 'municipality'),
    count('submitted.problemArea', 'a.value', `f, ${d.each('f.areas', 'a', { text: true })}`, 'f.areas IS NOT NULL'),
    count('decision', 'accepted'),
    count('decision', 'closure'),
    // Machine 2.0.0 keeps an escalated case open (§5.3): its first escalation counts as the decision.
    count('decision', 'escalated'),
    count('closed.outcome', 'outcome'),
    count('closed.familyViewOfFit', 'fit'),
    count('closed.as', CLOSED_AS, 'f', 'closure IS NOT NULL'),
    count('overleg.youth', at('o.value', '[0]'), OVERLEG_ROWS, 'f.overleggen IS NOT NULL'),
    count('overleg.parents', at('o.value', '[1]'), OVERLEG_ROWS, 'f.overleggen IS NOT NULL'),
    count('overleg.disruption', 'd.value', `${OVERLEG_ROWS}, ${d.each('o.value', 'd', { path: '[2]', text: true })}`,
      'f.overleggen IS NOT NULL'),
    ...(['youth', 'parents'] as const).map((who, i) => count(`overleg.${who}Reason`, at('o.value', `[${i + 3}]`),
      OVERLEG_ROWS, `f.overleggen IS NOT NULL AND ${at('o.value', `[${i + 3}]`)} IS NOT NULL`)),
    `SELECT 'advice', '', ${int('count(DISTINCT seq || \' \' || at)')}, ${d.cast('NULL', 'float')}, ` +
      `${d.cast('NULL', 'float')} FROM items`,
    count('helpItem.kind', 'kind', 'items', 'TRUE'),
    count('helpItem.waiting', int('waiting > 0'), 'items', 'TRUE'),
    count('waitingCase.bridged', `coalesce(${int('planned_at >= first_at')}, 0)`, 'waiting', 'TRUE'),
    count('open.state', 'state', 'f', 'state <> \'closed\''),
    count('open.school', 'school', 'f', 'state <> \'closed\''),
    count('open.notAttending', `CASE WHEN NOT ${SCHOOL_AGE} THEN 'outside_school_age' ` +
      'WHEN since < @cutoff THEN \'more_than_3_months\' ELSE \'up_to_3_months\' END',
    'f', 'state <> \'closed\' AND school = \'not_attending\''),
    `SELECT 'distribution', kind, ${int('max(n)')}, min(CASE WHEN upto >= (n + 1) / 2 THEN v END), ` +
      'min(CASE WHEN upto >= (9 * n + 9) / 10 THEN v END) FROM cumulative GROUP BY kind',
  ].join('\nUNION ALL ');

  // planned_at is one value per seq (a case's); PostgreSQL wants it grouped by all the same.
  return `WITH f AS MATERIALIZED (${facts}),
  items AS MATERIALIZED (SELECT f.seq AS seq, f.planned_at AS planned_at, ${at('i.value', '[0]')} AS kind,
    ${d.cast(at('i.value', '[1]'), 'float')} AS waiting, ${at('i.value', '[2]')} AS at
    FROM f, ${d.each('f.items', 'i')} WHERE f.items IS NOT NULL),
  waiting AS (SELECT seq, planned_at, min(at) AS first_at FROM items WHERE waiting > 0 GROUP BY seq, planned_at),
  histogram AS (${HISTOGRAM}),
  cumulative AS (SELECT kind, v, ${d.cast('sum(c) OVER (PARTITION BY kind ORDER BY v)', 'bigint')} AS upto,
    ${d.cast('sum(c) OVER (PARTITION BY kind)', 'bigint')} AS n FROM histogram)
  ${FIGURES}`;
}

/** Every municipality the caller's cases come from: the cells of the municipality breakdown. */
export function municipalitiesSql(scope: ScopeKind): string {
  return `SELECT DISTINCT municipality FROM cases${scope === 'all' ? '' : ` WHERE ${ownCases(scope)}`}`;
}

/**
 * Deadlines passed in the period [@start, @end): per deadline, the cases that passed it, from the
 * DEADLINE_PASSED entries of the trail. Rows as the figures statement gives them.
 */
export function deadlinesSql(d: Dialect, scope: ScopeKind): string {
  return `SELECT ${d.cast('\'deadline.passed\'', 'text')} AS figure, ${d.pathText(d.parse('e.payload'), 'deadline')} AS key,
    ${d.cast('count(DISTINCT e.case_id)', 'int')} AS n, ${d.cast('NULL', 'float')} AS p50, ${d.cast('NULL', 'float')} AS p90
    FROM case_events e ${joinOwn(scope)}
    WHERE e.type = 'DEADLINE_PASSED' AND e.at >= @start AND e.at < @end GROUP BY 2`;
}

/**
 * The follow-up figures of §5.2, §5.3 and §6.1, from the facts the engine writes to the trail with every
 * event (UPDATE_HELP_ITEM, ISSUE_ADVICE, ESCALATE, RECORD_ESCALATION_OUTCOME and DEADLINE_PASSED
 * entries), not from the machine's context: help item changes by status in the period, the weeks
 * from the advice to the day a help item started (nearest-rank median and 90th percentile), and
 * the escalations sent in the period by where they went and whether they were answered before
 * their deadline passed, as of the end of the period; the commitments made in the period by
 * source and how they were settled (COMMITMENT_SETTLEMENT). Rows as the figures statement gives them.
 */
export function followUpSql(d: Dialect, scope: ScopeKind): string {
  const own = joinOwn(scope);
  const entries = (type: string) => `SELECT e.* FROM case_events e ${own} WHERE e.type = '${type}'`;
  const payload = (entry: string, path: string): string => d.pathText(d.parse(`${entry}.payload`), path);
  const int = (value: string): string => d.cast(value, 'int');
  return `WITH u AS (SELECT case_id, at, ${payload('x', 'itemId')} AS item,
      ${payload('x', 'status')} AS status, ${payload('x', 'date')} AS day
      FROM (${entries('UPDATE_HELP_ITEM')}) x WHERE at >= @start AND at < @end),
    weeks AS (SELECT ${d.tenth(`(${d.day('u.day')} - ${d.day('substr(a.at, 1, 10)')}) / 7.0`)} AS v
      FROM u JOIN case_events a ON a.case_id = u.case_id AND a.type = 'ISSUE_ADVICE'
      JOIN ${d.each(d.parse('a.payload'), 'h', { path: 'helpItems' })} ON ${d.pathText('h.value', 'id')} = u.item
      WHERE u.status = 'started'),
    cumulative AS (SELECT v, ${d.cast('sum(c) OVER (ORDER BY v)', 'bigint')} AS upto,
      ${d.cast('sum(c) OVER ()', 'bigint')} AS n FROM (SELECT v, count(*) AS c FROM weeks GROUP BY v) w),
    esc AS (SELECT x.case_id, x.at, CASE ${payload('x', 'to')} WHEN 'supra_regional' THEN 'ben'
        WHEN 'national' THEN 'other' ELSE ${payload('x', 'to')} END AS to_,
      (SELECT min(o.at) FROM case_events o WHERE o.case_id = x.case_id AND o.type = 'RECORD_ESCALATION_OUTCOME'
        AND o.at > x.at AND o.at < @end) AS answered_at,
      (SELECT min(d.at) FROM case_events d WHERE d.case_id = x.case_id AND d.type = 'DEADLINE_PASSED'
        AND ${payload('d', 'deadline')} = 'escalation' AND d.at > x.at AND d.at < @end) AS passed_at
      FROM (${entries('ESCALATE')}) x WHERE x.at >= @start AND x.at < @end),
    made AS (SELECT m.case_id, CASE m.type WHEN 'RECORD_OVERLEG' THEN 'overleg' ELSE 'escalation' END AS source,
        ${d.pathText('k.value', 'id')} AS id
      FROM (SELECT e.* FROM case_events e ${own} WHERE e.type IN ('RECORD_OVERLEG', 'RECORD_ESCALATION_OUTCOME')
        AND e.at >= @start AND e.at < @end) m, ${d.each(d.parse('m.payload'), 'k', { path: 'commitments' })}
      WHERE ${d.pathText('k.value', 'id')} IS NOT NULL),
    cm AS (SELECT source,
      (SELECT min(s.at) FROM case_events s WHERE s.case_id = made.case_id AND s.type = 'UPDATE_COMMITMENT'
        AND ${payload('s', 'commitmentId')} = made.id AND s.at < @end) AS settled_at,
      (SELECT min(d.at) FROM case_events d WHERE d.case_id = made.case_id AND d.type = 'DEADLINE_PASSED'
        AND ${payload('d', 'commitmentId')} = made.id AND d.at < @end) AS passed_at,
      (SELECT min(w.at) FROM case_events w WHERE w.case_id = made.case_id AND w.type = 'WITHDRAW' AND w.at < @end) AS withdrawn_at
      FROM made)
  SELECT ${d.cast('\'helpItem.change\'', 'text')} AS figure, status AS key, ${int('count(*)')} AS n,
    ${d.cast('NULL', 'float')} AS p50, ${d.cast('NULL', 'float')} AS p90 FROM u GROUP BY status
  UNION ALL SELECT 'distribution', 'weeksToStart', ${int('max(n)')}, min(CASE WHEN upto >= (n + 1) / 2 THEN v END),
    min(CASE WHEN upto >= (9 * n + 9) / 10 THEN v END) FROM cumulative HAVING count(*) > 0
  UNION ALL SELECT 'escalation.to', to_, ${int('count(*)')}, NULL, NULL FROM esc GROUP BY to_
  UNION ALL SELECT 'escalation.answer', CASE WHEN answered_at IS NULL THEN 'unanswered'
      WHEN passed_at IS NULL OR passed_at > answered_at THEN 'in_time' ELSE 'late' END, ${int('count(*)')}, NULL, NULL
    FROM esc GROUP BY 2
  UNION ALL SELECT 'commitment.source', source, ${int('count(*)')}, NULL, NULL FROM cm GROUP BY source
  UNION ALL SELECT 'commitment.settlement', ${COMMITMENT_SETTLEMENT}, ${int('count(*)')}, NULL, NULL FROM cm GROUP BY 2`;
}
