/** Who sees which case (src/cases/access.ts) as SQL, for either store's schema. */
import { and, eq, sql, type Column, type SQL } from 'drizzle-orm';
import type { CaseScope } from '../../cases/access.ts';

/** The scope as a WHERE condition over a cases table's columns, for either store's schema. */
export function scopeWhere(scope: CaseScope, columns: { organisation: Column; region: Column }): SQL | undefined {
  switch (scope.kind) {
    case 'organisation':
      return and(eq(columns.organisation, scope.organisation), eq(columns.region, scope.region));
    case 'region':
      return eq(columns.region, scope.region);
    case 'all':
      return undefined;
    case 'none':
      return sql`1 = 0`;
  }
}
