/**
 * Reading cases: one case, a page of cases, a case's trail. Only what the caller may see; a case
 * the caller may not see is answered as if it did not exist.
 */
import type { LifecycleState } from '../../machines/referral.machine.ts';
import type { PersistedReferral } from '../../machines/referral.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { canSee, caseScope } from './access.ts';
import type { NotesPage, Trail } from './case-contract.ts';
import { gone, notFound } from './case-decisions.ts';
import { caseSummary, caseView, closedAsOf, type CaseSummary, type CaseView } from './case-view.ts';
import type { ClosedAs } from './case-contract.ts';
import type { CaseRow } from '../store/rows.ts';
import type { Actor } from '../auth/actors.ts';
import { NOTES_IN_VIEW, withNotes } from './case-writes.ts';
import type { CaseReads, Offers, People, WorkFilter, WorkItem } from '../store/port.ts';
import { personIdOf, regisseurOf, type Regisseur } from './regisseur.ts';
import { waitingFor, type Waiting } from './waiting.ts';

/** A case on a person's mijn werk (§6.3). */
export interface MyWorkItem {
  id: string;
  state: LifecycleState;
  municipality: string;
  /** The referrer's own reference: what the console shows a case by. */
  reference: string;
  /** The nearest open deadline (its timer's name: a commitment's is `commitment:<id>`). */
  nextDue: { name: string; dueAt: string } | null;
  overdue: boolean;
  /** What waits on the case for this person (waiting.ts). */
  waiting: Waiting[];
}

export interface ListQuery {
  state?: string;
  municipality?: string;
  regisseur?: string;
  overdue?: boolean;
  limit: number;
  cursor?: string;
}

const TRAIL_ROLES = new Set(['expert_team', 'inspector']);

/** The case view with its latest notes (NOTES_IN_VIEW, oldest of them first) and how many it has. */
export async function viewWithNotes(reads: Pick<CaseReads, 'notes' | 'noteCount'>, row: CaseRow,
  persisted: PersistedReferral, actor: Actor, now: string, regisseur: Regisseur | null = null): Promise<CaseView> {
  const latest = (await reads.notes(row.id, NOTES_IN_VIEW)).reverse().map(({ type, text, at }) => ({ type, text, at }));
  const notesTotal = latest.length < NOTES_IN_VIEW ? latest.length : await reads.noteCount(row.id);
  return caseView(row, withNotes(persisted, latest), actor.role, now, notesTotal, regisseur);
}

/** The case's regisseur as its view shows it (§6.3): the person of the `regisseur` column while they can be one. */
export async function currentRegisseur(people: Pick<People, 'byId'>, row: Pick<CaseRow, 'regisseur' | 'region'>):
Promise<Regisseur | null> {
  return row.regisseur === null ? null : regisseurOf(await people.byId(row.regisseur), row.region);
}

/**
 * The view with, for each help item naming an offer, the offer's waiting time in the register
 * today beside the one at the advice (§6.4).
 */
export async function withWaitingNow(view: CaseView, offers: Pick<Offers, 'resolve'> | undefined): Promise<CaseView> {
  const ids = [...new Set(view.helpItems.flatMap((item) => (item.offerId === undefined ? [] : [item.offerId])))];
  if (!offers || ids.length === 0) return view;
  const found = await offers.resolve(view.region, ids);
  return {
    ...view,
    helpItems: view.helpItems.map((item) => item.offerId === undefined ? item
      : { ...item, waitingWeeksNow: found.get(item.offerId)?.waitingWeeks ?? null }),
  };
}

/** The read side of cases, for either store: what a caller may see, and nothing else. */
export function caseQueries(repo: CaseReads, clock: Clock, people: Pick<People, 'byId'>, offers?: Pick<Offers, 'resolve'>) {
  async function visibleCase(actor: Actor, id: string): Promise<CaseRow> {
    const row = await repo.find(id);
    if (!row || !canSee(actor, row)) throw notFound();
    if (row.erasedAt !== null) throw gone();
    return row;
  }

  async function trailCase(actor: Actor, id: string): Promise<CaseRow> {
    const row = await visibleCase(actor, id);
    if (!TRAIL_ROLES.has(actor.role)) {
      throw new AppError('FORBIDDEN', `a ${actor.role} does not read the trail`);
    }
    return row;
  }

  return {
    async get(actor: Actor, id: string): Promise<CaseView> {
      const row = await visibleCase(actor, id);
      return withWaitingNow(await viewWithNotes(repo, row, JSON.parse(row.snapshot) as PersistedReferral, actor,
        clock.now().toISOString(), await currentRegisseur(people, row)), offers);
    },

    async list(actor: Actor, query: ListQuery): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
      const rows = await repo.list(caseScope(actor), {
        state: query.state,
        overdue: query.overdue,
        municipality: query.municipality,
        regisseur: query.regisseur,
        beforeSeq: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        limit: query.limit + 1,
        now: clock.now().toISOString(),
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(caseSummary),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.seq) : null,
      };
    },

    /** A page of the case's notes, newest first (the case view carries only the latest). */
    async notes(actor: Actor, id: string, query: { limit: number; cursor?: string }): Promise<NotesPage> {
      const row = await visibleCase(actor, id);
      const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'n');
      const rows = await repo.notes(row.id, query.limit + 1, before);
      const items = rows.slice(0, query.limit).map(({ version, text, at, by }) => ({ version, text, at, by }));
      const last = items.at(-1);
      return {
        items,
        total: await repo.noteCount(row.id),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.version, 'n') : null,
      };
    },

    /** The console's work list and file review (src/store/sqlite/reads.ts `worklist`), closed cases saying how. */
    async worklist(actor: Actor, filter: WorkFilter): Promise<(WorkItem & { closedAs: ClosedAs | null })[]> {
      const items = await repo.worklist(caseScope(actor), { ...filter, now: clock.now().toISOString() });
      return items.map((i) => ({ ...i, closedAs: closedAsOf(i.closureType, i.closureOutcome) }));
    },

    /**
     * Mijn werk (§6.3): for a person of the expert team the open cases they are regisseur of; for
     * a local team its organisation's open cases where something waits for it. Each with what
     * waits (waiting.ts) and its nearest deadline; what is overdue first, then the nearest
     * deadline. Other roles have none.
     */
    async myWork(actor: Actor, limit = 500): Promise<MyWorkItem[]> {
      const now = clock.now().toISOString();
      const self = personIdOf(actor);
      if (actor.role === 'expert_team' && self === undefined) return [];
      if (actor.role !== 'expert_team' && actor.role !== 'local_team') return [];
      const rows = await repo.list(caseScope(actor), {
        open: true, limit, now, ...(actor.role === 'expert_team' ? { regisseur: self } : {}),
      });
      const items = rows.map((row): MyWorkItem => {
        const persisted = JSON.parse(row.snapshot) as PersistedReferral;
        const { deadlines, overdue } = persisted.context;
        const open = Object.entries(deadlines).filter((e): e is [string, string] => e[1] !== undefined)
          .sort((a, b) => a[1].localeCompare(b[1]));
        const next = open[0];
        return {
          id: row.id, state: row.state as LifecycleState, municipality: row.municipality,
          reference: persisted.context.record.submission.subject.reference,
          nextDue: next ? { name: next[0], dueAt: next[1] } : null,
          overdue: Object.keys(overdue).length > 0 || open.some(([, at]) => at <= now),
          waiting: waitingFor(actor, { state: row.state, organisation: row.organisation, persisted }, now),
        };
      }).filter((i) => actor.role === 'expert_team' || i.waiting.length > 0);
      return items.sort((a, b) => Number(b.overdue) - Number(a.overdue) ||
        (a.nextDue?.dueAt ?? '\uffff').localeCompare(b.nextDue?.dueAt ?? '\uffff') || a.id.localeCompare(b.id));
    },

    /** The case, when this caller may read its trail (expert team of the region, inspector). */
    trailCase,

    async trail(actor: Actor, id: string): Promise<Trail> {
      const row = await trailCase(actor, id);
      const entries = (await repo.events(row.id)).map((e) => ({
        seq: e.seq,
        version: e.version,
        type: e.type,
        at: e.at,
        actor: { role: e.actorRole, organisation: e.actorOrganisation, name: e.actorName },
        payload: JSON.parse(e.payload) as unknown,
        state: e.state as LifecycleState,
      }));
      return { caseId: row.id, entries };
    },
  };
}

export type CaseQueries = ReturnType<typeof caseQueries>;

/** An opaque cursor: `s<seq>` for a page of cases, `n<version>` for a page of notes. */
function encodeCursor(n: number, kind: 's' | 'n' = 's'): string {
  return Buffer.from(`${kind}${n}`).toString('base64url');
}

function decodeCursor(cursor: string, kind: 's' | 'n' = 's'): number {
  const match = new RegExp(`^${kind}([1-9]\\d{0,15})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw new AppError('VALIDATION_FAILED', 'the cursor is not one this service gave out', {
      invalidParams: [{ name: 'cursor', reason: 'unknown cursor' }],
    });
  }
  return Number(match[1]);
}
