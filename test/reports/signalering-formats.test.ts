/** GET /reports/signalering as CSV (RFC 4180) and as a printable Dutch HTML page. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/store/sqlite/clients.ts';
import { csvField } from '../../src/reports/signalering-csv.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { submission } from '../support/fixtures.ts';
import { buildSignaleringData } from './signalering-data.ts';

/** The figures for publication (§4): small counts suppressed. The exact figures are checked below. */
const URL = '/api/v1/reports/signalering?from=2026-01-01&to=2026-06-30&publication=true';
const ODD_REGION = 'Regio "Noord", <b>1</b>';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      for (i += 1; !(text[i] === '"' && text[i + 1] !== '"'); i += 1) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') i += 1;
        field += text[i];
      }
      i += 1;
    } else {
      while (i < text.length && !/[,\r\n"]/.test(text[i]!)) field += text[i++];
    }
    row.push(field);
    if (text.startsWith('\r\n', i)) { rows.push(row); row = []; i += 2; } else if (text[i] === ',') i += 1;
    else throw new Error(`bad CSV at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
  }
  return rows;
}

let ctx: TestContext;
let json: Record<string, any>;
let odd: Caller;
const get = (caller: Caller, accept: string) => ctx.call(caller, { method: 'GET', url: URL, headers: { accept } });

beforeAll(async () => {
  ctx = await createTestContext();
  await buildSignaleringData(ctx);
  json = (await get(ctx.expertTeam, 'application/json')).json();
  const client = createClient(ctx.db, { role: 'expert_team', organisation: 'ret-x', region: ODD_REGION, name: 'x' }, ctx.clock.now());
  odd = { token: client.token, role: 'expert_team', headers: {} };
  await ctx.call(odd, { method: 'POST', url: '/api/v1/cases', payload: submission() });
});
afterAll(() => ctx.close());

describe('GET /reports/signalering as CSV', () => {
  it('is RFC 4180: a header, four fields a record, CRLF line ends, sent as an attachment', async () => {
    const res = await get(ctx.expertTeam, 'text/csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toBe('attachment; filename="signalering-2026-01-01-2026-06-30.csv"');
    expect(res.body.endsWith('\r\n')).toBe(true);
    expect(res.body.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(['section', 'figure', 'category', 'value']);
    expect(rows.every((r) => r.length === 4)).toBe(true);
  });

  it('holds every figure of the JSON report, suppressed ones as <5', async () => {
    const rows = parseCsv((await get(ctx.expertTeam, 'text/csv')).body).map((r) => r.join('|'));
    expect(rows).toEqual(expect.arrayContaining([
      'report|region||R01', 'period|from||2026-01-01', 'period|to||2026-06-30',
      'submitted|total||23', 'submitted|byReferrerKind|professional|16', 'submitted|byReferrerKind|youth|<5',
      'submitted|byMunicipality|GM0363|20', 'submitted|byMunicipality|GM0518|<5',
      'decisions|byDecision|closed|6', 'decisions|byDecision.closed.byOutcome|help_in_place|5',
      'decisions|byDecision.closed.byOutcome|no_longer_needed|<5',
      'leadTimes|submissionToTriageDecision.medianDays||2', 'leadTimes|submissionToTriageDecision.p90Days||8',
      'leadTimes|adviceToHelpStarted.p90Days||',
      'overleggen|youthTookPart.share||<5', 'advice|customArrangements.share||0.5', 'advice|medianWaitingWeeks.weeks||4',
      'advice|bridgingPlanWhenWaiting.share||<5', 'deadlines|total||22',
      'deadlines|passedByDeadline|triage|11', 'deadlines|passedByDeadline|overleg|<5',
      'deadlines|passedByDeadline|checkpoint|7', 'deadlines|dueForReassessment.count||<5',
    ]));
    const cellRows = (section: string, figure: string, list: { key: string; count: number | null }[]) =>
      list.map((c) => `${section}|${figure}|${c.key}|${c.count ?? '<5'}`);
    expect(rows).toEqual(expect.arrayContaining([
      ...cellRows('submitted', 'byProblemArea', json.submitted.byProblemArea),
      ...cellRows('openAtEnd', 'byState', json.openAtEnd.byState),
      ...cellRows('overleggen', 'byDisruption', json.overleggen.byDisruption),
      ...cellRows('overleggen', 'youthNotInvolvedByReason', json.overleggen.youthNotInvolvedByReason),
      ...cellRows('openAtEnd', 'bySchoolStatus.not_attending.byDuration',
        json.openAtEnd.bySchoolStatus.find((c: { key: string }) => c.key === 'not_attending').breakdowns.byDuration),
    ]));
  });

  it('quotes fields with commas and quotes, and defuses text a spreadsheet would run as a formula', async () => {
    const body = (await get(odd, 'text/csv')).body;
    expect(body).toContain('report,region,,"Regio ""Noord"", <b>1</b>"\r\n');
    expect(parseCsv(body)[1]).toEqual(['report', 'region', '', ODD_REGION]);
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });
});

describe('GET /reports/signalering as HTML', () => {
  it('is a self-contained Dutch page: its own style (allowed by hash), no script, no external asset', async () => {
    const res = await get(ctx.expertTeam, 'text/html');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
    expect(res.body).toMatch(/^<!DOCTYPE html><html lang="nl">/);
    expect(res.body).toContain('<style>');
    expect(res.body).not.toMatch(/<script|<link|<img|\ssrc=|\shref=|@import|url\(/i);
  });

  it('has the Dutch headings and the key figures, with SVG charts drawn on the server', async () => {
    const body = (await get(ctx.expertTeam, 'text/html')).body;
    for (const heading of ['Signalering regio R01', 'Aanmeldingen', 'Besluiten en afsluitingen',
      'Open casussen aan het eind van de periode', 'Thuiszitters', 'Doorlooptijden',
      'Betrokkenheid van jongere en ouders', 'Advies', 'Termijnen en herbeoordeling', 'Toelichting']) {
      expect(body).toContain(`>${heading}</h`);
    }
    expect(body).toContain('1 januari 2026 t/m 30 juni 2026');
    expect(body).toContain('Aangemeld in de periode: <strong>23</strong>');
    expect(body).toContain('>50,0%</text>'); // the share of custom arrangements
    expect(body).toContain('>&lt;5</td>');
    expect(body.match(/<svg /g)?.length).toBeGreaterThanOrEqual(8);
    expect(body).toMatch(/<rect x="\d+" y="\d+" width="\d+" height="16" class="bar"\/>/);
    expect(body).toContain('Termijnen en herbeoordeling');
  });

  it('escapes every text that comes from data', async () => {
    const body = (await get(odd, 'text/html')).body;
    expect(body).toContain('Signalering regio Regio &quot;Noord&quot;, &lt;b&gt;1&lt;/b&gt;');
    expect(body).not.toContain('<b>1</b>');
  });
});
