/**
 * The dialect layer of the store's hand-written SQL (src/store/sql/dialect.ts): named parameters
 * become PostgreSQL's positions, and the signalering statements name exactly the parameters the
 * two readers bind. The figures themselves are checked on both stores by the other report suites.
 */
import { describe, expect, it } from 'vitest';
import { postgresDialect, sqliteDialect } from '../../src/store/sql/dialect.ts';
import { signaleringStatements } from '../../src/store/sql/signalering.ts';

describe('the SQL dialects', () => {
  it('number named parameters for PostgreSQL in order of first use, one number per name', () => {
    const sql = 'SELECT 1 WHERE region = @region AND at >= @start AND at < @end AND @start <> @end';
    expect(postgresDialect.statement(sql)).toEqual({
      text: 'SELECT 1 WHERE region = $1 AND at >= $2 AND at < $3 AND $2 <> $3', names: ['region', 'start', 'end'],
    });
    expect(sqliteDialect.statement(sql)).toEqual({ text: sql, names: ['region', 'start', 'end'] });
  });

  it('read a path of the facts in each dialect, the last element included', () => {
    expect(sqliteDialect.pathText(sqliteDialect.facts, 'overleggen[-1].at')).toBe("json_extract(facts, '$.overleggen[#-1].at')");
    expect(postgresDialect.pathText(postgresDialect.facts, 'overleggen[-1].at')).toBe("(fx #>> '{overleggen,-1,at}')");
    expect(sqliteDialect.pathJson('o.value', 'disruptions')).toBe("jsonb_extract(o.value, '$.disruptions')");
    expect(postgresDialect.pathText('i.value', '[1]')).toBe('(i.value ->> 1)');
  });

  it('give the signalering statements the parameters the readers bind, and no others', () => {
    for (const d of [sqliteDialect, postgresDialect]) {
      for (const scope of ['all', 'region'] as const) {
        const s = signaleringStatements(d, scope);
        const region = scope === 'region' ? ['region'] : [];
        expect(new Set(s.figures.names)).toEqual(new Set(['start', 'end', 'cutoff', 'asOfYear', ...region]));
        expect(new Set(s.deadlines.names)).toEqual(new Set(['start', 'end', ...region]));
        expect(new Set(s.followUp.names)).toEqual(new Set(['start', 'end', ...region]));
        expect(s.municipalities.names).toEqual(region);
        if (d === postgresDialect) expect(s.figures.text).not.toMatch(/@\w/);
      }
    }
  });
});
