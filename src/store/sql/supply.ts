/**
 * The SQL of the supply report (DESIGN §6.4), written once over a dialect (dialect.ts) for both
 * stores: read-only statements over the trail, the cases and the offers register that return
 * counted rows, never a case id, a reference or a text. Parameters: @start and @end (the period,
 * ISO instants), @region.
 *
 * - `advised`: the help items advised in the period (ISSUE_ADVICE entries), per municipality of
 *   the case, kind of help (the register's kinds; `unspecified` when the item named none), item
 *   kind (existing_offer, custom_arrangement), waiting weeks at the advice, and the waiting weeks
 *   of its offer now (the register's latest; NULL for an item without an offer or an offer
 *   without a waiting time): one row per distinct combination, with how many items share it.
 * - `notStarted`: the help items reported not started for lack of capacity in the period
 *   (UPDATE_HELP_ITEM with notStartedBecause `capacity`), per municipality and kind of help of
 *   the item as advised.
 *
 * Medians, percentiles, suppression and the norm are worked out from these rows
 * (src/reports/supply.ts), so that any municipality's figures come from the same rows.
 */
import type { Dialect, Statement } from './dialect.ts';

export interface SupplyStatements {
  advised: Statement;
  notStarted: Statement;
}

export function supplyStatements(d: Dialect): SupplyStatements {
  return { advised: d.statement(advisedSql(d)), notStarted: d.statement(notStartedSql(d)) };
}

const item = (d: Dialect, path: string): string => d.pathText('h.value', path);

/** The register's latest waiting time of an offer: the latest measured, the last reported on a tie. */
const latestWeeks = (offerId: string): string =>
  `(SELECT w.weeks FROM offer_waiting_times w WHERE w.offer_id = ${offerId} ORDER BY w.measured_at DESC, w.seq DESC LIMIT 1)`;

export function advisedSql(d: Dialect): string {
  const items = `SELECT c.municipality AS municipality, coalesce(${item(d, 'helpKind')}, 'unspecified') AS kind,
      ${item(d, 'kind')} AS item_kind, ${d.cast(item(d, 'waitingWeeks'), 'float')} AS at_advice,
      ${d.cast(latestWeeks(item(d, 'offerId')), 'float')} AS now_weeks
    FROM case_events a JOIN cases c ON c.id = a.case_id AND c.region = @region,
      ${d.each(d.parse('a.payload'), 'h', { path: 'helpItems' })}
    WHERE a.type = 'ISSUE_ADVICE' AND a.at >= @start AND a.at < @end`;
  return `SELECT ${d.cast('municipality', 'text')} AS municipality, ${d.cast('kind', 'text')} AS kind,
    ${d.cast('item_kind', 'text')} AS item_kind, at_advice, now_weeks, ${d.cast('count(*)', 'int')} AS n
    FROM (${items}) x GROUP BY municipality, kind, item_kind, at_advice, now_weeks`;
}

export function notStartedSql(d: Dialect): string {
  const payload = (entry: string, path: string): string => d.pathText(d.parse(`${entry}.payload`), path);
  const rows = `SELECT c.municipality AS municipality,
      coalesce((SELECT ${item(d, 'helpKind')} FROM case_events a, ${d.each(d.parse('a.payload'), 'h', { path: 'helpItems' })}
        WHERE a.case_id = u.case_id AND a.type = 'ISSUE_ADVICE' AND ${item(d, 'id')} = ${payload('u', 'itemId')} LIMIT 1),
        'unspecified') AS kind
    FROM case_events u JOIN cases c ON c.id = u.case_id AND c.region = @region
    WHERE u.type = 'UPDATE_HELP_ITEM' AND u.at >= @start AND u.at < @end
      AND ${payload('u', 'status')} = 'not_started' AND ${payload('u', 'notStartedBecause')} = 'capacity'`;
  return `SELECT ${d.cast('municipality', 'text')} AS municipality, ${d.cast('kind', 'text')} AS kind,
    ${d.cast('count(*)', 'int')} AS n FROM (${rows}) x GROUP BY municipality, kind`;
}
