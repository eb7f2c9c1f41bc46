/** The rows the supply report is worked out from (src/store/sql/supply.ts), as either store hands them back. */

export interface AdvisedRow {
  municipality: string;
  kind: string;
  itemKind: string;
  /** Waiting weeks at the advice. */
  atAdvice: number | null;
  /** The offer's waiting weeks now; null without an offer or a reported waiting time. */
  nowWeeks: number | null;
  n: number;
}

export interface NotStartedRow {
  municipality: string;
  kind: string;
  n: number;
}

export interface SupplyRows {
  advised: AdvisedRow[];
  notStarted: NotStartedRow[];
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Rows as the drivers give them (snake_case, PostgreSQL's numbers possibly as text), typed. */
export function supplyRowsOf(advised: readonly Record<string, unknown>[], notStarted: readonly Record<string, unknown>[]): SupplyRows {
  return {
    advised: advised.map((r) => ({
      municipality: String(r.municipality), kind: String(r.kind), itemKind: String(r.item_kind),
      atAdvice: num(r.at_advice), nowWeeks: num(r.now_weeks), n: Number(r.n),
    })),
    notStarted: notStarted.map((r) => ({ municipality: String(r.municipality), kind: String(r.kind), n: Number(r.n) })),
  };
}
