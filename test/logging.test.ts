import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/store/sqlite/client.ts';
import { buildApp, type App } from '../src/app.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { ManualClock } from '../src/clock.ts';
import { loggerOptions } from '../src/logger.ts';
import { events, submission } from './support/fixtures.ts';
import { sqliteStore } from '../src/store/sqlite/store.ts';

const MARKERS = {
  reference: 'REF-Jansen-0042',
  summary: 'Sanne Jansen zit al maanden thuis',
  words: 'Ik wil gewoon weer naar school',
  note: 'Moeder belde huilend op',
  purpose: 'Onderzoek naar Sanne Jansen',
};

describe('the service log', () => {
  let app: App;
  let db: Db;
  const lines: string[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    db = openDatabase(':memory:');
    const clock = new ManualClock();
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = pino(loggerOptions('trace'), sink);
    app = await buildApp({ config: { LOG_LEVEL: 'trace' }, store: sqliteStore(db, clock), clock, logger });
    for (const [role, region] of [['local_team', 'R01'], ['expert_team', 'R01'], ['inspector', 'R01']] as const) {
      tokens.push(createClient(db, { role, organisation: 'o', region, name: 'n' }, clock.now()).token);
    }
  });
  afterAll(async () => { await app.close(); db.$client.close(); });

  it('holds no personal data, token or inspector purpose, even for refused requests', async () => {
    const [local, expert, inspector] = tokens.map((t) => ({ authorization: `Bearer ${t}` }));
    const body = submission({
      subject: { reference: MARKERS.reference, birthYear: 2012, municipalityCode: 'GM0363' },
      requestForHelp: { summary: MARKERS.summary, inWordsOfYouth: MARKERS.words },
    });
    const created = await app.inject({ method: 'POST', url: '/api/v1/cases', headers: local, payload: body });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const url = `/api/v1/cases/${id}/events`;
    await app.inject({ method: 'POST', url, headers: expert, payload: events.START_TRIAGE() });
    await app.inject({ method: 'POST', url, headers: expert, payload: events.ADD_NOTE({ text: MARKERS.note }) });
    // Refused: invalid body with personal data, wrong state, consent missing, malformed JSON.
    await app.inject({ method: 'POST', url, headers: expert, payload: { type: 'ADD_NOTE', text: 7, who: MARKERS.reference } });
    await app.inject({ method: 'POST', url, headers: expert, payload: events.CLOSE({ lessonsLearned: MARKERS.note }) });
    await app.inject({
      method: 'POST', url: '/api/v1/cases', headers: local,
      payload: { ...body, consent: { youth: 'refused', parents: 'refused' } },
    });
    await app.inject({
      method: 'POST', url, headers: { ...expert, 'content-type': 'application/json' },
      payload: `{"type":"ADD_NOTE","text":"${MARKERS.note}"`,
    });
    await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { ...inspector, 'x-purpose': MARKERS.purpose } });
    await app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: inspector });

    // Query strings: a token sent as ?access_token= and a name typed into the report's region.
    await app.inject({ method: 'GET', url: `/api/v1/cases?access_token=${tokens[0]}&municipality=${MARKERS.reference}` });
    await app.inject({
      method: 'GET', url: `/api/v1/reports/signalering?from=2026-01-01&to=2026-01-31&region=${encodeURIComponent(MARKERS.summary)}`,
      headers: { ...inspector, 'x-purpose': 'Toezicht, onderzoek 2026-17' },
    });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain('"path":"/api/v1/reports/signalering"');
    expect(log).toContain('request refused');
    expect(log).toContain('inspector request without a valid purpose');
    for (const marker of Object.values(MARKERS)) expect(log).not.toContain(marker);
    for (const token of tokens) expect(log).not.toContain(token);
  });
});
