/**
 * `npm run screenshots [folder]`: screenshots of the console's main pages, in Chromium (Debian's
 * package, or CHROMIUM_PATH), of a throwaway service filled with example cases. Written to
 * docs/screenshots/ unless a folder is named; the README shows two of them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventType } from '../machines/referral.schemas.ts';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/clock.ts';
import { launchChromium } from '../test/console/browser.ts';
import { events, fixtureClock, PATH_TO, submission } from '../test/support/fixtures.ts';
import type { User } from '../src/store/rows.ts';
import { personActor } from '../src/auth/people.ts';
import { openStore } from '../src/store/open.ts';

const out = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'passend-screenshots-'));
fixtureClock.now = () => systemClock.now();
const store = await openStore({
  DATABASE_PATH: join(dir, 'passend.db'), SQLITE_SYNCHRONOUS: 'NORMAL', CHECKPOINT_INTERVAL_MS: 0, GROUP_COMMIT: 'on',
  SESSION_IDLE_MINUTES: 30,
}, { clock: systemClock });
const app = await buildApp({ config: { LOG_LEVEL: 'silent' }, store });
const browser = await launchChromium();
try {
  const now = systemClock.now();
  await store.regions.set('R01', { municipalities: ['GM0363', 'GM0344', 'GM0599'] }, now);
  const user = (role: User['role'], organisation: string, name: string) =>
    store.people.create({ role, organisation, region: 'R01', name, email: `${name.split(' ')[0]!.toLowerCase()}@example.nl` }, now);
  const worker = await user('local_team', 'Wijkteam Noord', 'Wim Wijkteam');
  const coordinator = await user('expert_team', 'Expertteam Amsterdam-Amstelland', 'Carla Regisseur');
  const inspector = await user('inspector', 'IGJ', 'Ines Inspecteur');
  const admin = await user('admin', 'Regio Amsterdam-Amstelland', 'Bea Beheer');

  // Example cases in several states, sent as the people would.
  const cases: Record<string, string> = {};
  const states = ['submitted', 'triage', 'planning_overleg', 'overleg_scheduled', 'follow_up', 'follow_up', 'closed'];
  for (const [i, state] of states.entries()) {
    const reference = `WN-2026-${String(101 + i).padStart(4, '0')}`;
    const view = await app.engine.submit(personActor(worker), submission({
      subject: { reference, birthMonth: `201${i % 8}-0${1 + (i % 9)}`, municipalityCode: ['GM0363', 'GM0344', 'GM0599'][i % 3]! },
      urgency: i % 3 === 0 ? 'urgent' : 'regular',
    }));
    let helpItems = view.helpItems;
    for (const type of PATH_TO[state] ?? []) {
      const sent = type === 'UPDATE_HELP_ITEM'
        ? helpItems.map((item) => events.UPDATE_HELP_ITEM({ itemId: item.id }))
        : [events[type as EventType]()];
      for (const event of sent) {
        helpItems = (await app.engine.applyEvent(personActor(type === 'UPDATE_HELP_ITEM' ? worker : coordinator), {
          caseId: view.id, body: event, ifMatch: undefined,
        })).helpItems;
      }
    }
    cases[state] ??= view.id;
  }

  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shoot = async (who: User, shots: [string, string][], purpose?: string) => {
    const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/inloggen?code=${await store.people.signInLink(who.id, systemClock.now())}`);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/inloggen')), page.getByRole('button', { name: 'Inloggen' }).click()]);
    if (purpose) {
      await page.fill('#doel', purpose);
      await Promise.all([page.waitForURL(/dossieronderzoek/), page.getByRole('button', { name: 'Doel vastleggen' }).click()]);
    }
    for (const [path, file] of shots) {
      await page.goto(`${base}${path}`);
      await page.screenshot({ path: join(out, file), fullPage: file !== 'zaak.png' });
      process.stdout.write(`${join(out, file)}\n`);
    }
    await context.close();
  };
  await shoot(coordinator, [['/casussen', 'werkvoorraad.png'], [`/casussen/${cases.follow_up}`, 'casus.png'],
    [`/casussen/${cases.follow_up}/verloop`, 'verloop.png'], ['/signalering', 'signalering.png']]);
  await shoot(worker, [['/aanmelden', 'aanmelding.png']]);
  await shoot(inspector, [['/dossieronderzoek?zoek=ja&status=follow_up', 'dossieronderzoek.png'], ['/toegangslog', 'toegangslog.png']],
    'Toezicht regionale expertteams 2026');
  await shoot(admin, [['/beheer', 'beheer.png']]);
} finally {
  await browser.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
