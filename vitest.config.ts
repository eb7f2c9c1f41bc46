import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The store matrix (DESIGN §5.5): every test runs on SQLite (project `sqlite`); the suites below
 * run a second time on PostgreSQL (project `postgres`, PASSEND_TEST_STORE=postgres: the test
 * context builds the same app on a fresh PostgreSQL database, test/support/app.ts). A suite joins
 * this list once everything it exercises runs on PostgreSQL and it reads the store only through
 * the service (not through SQLite directly).
 */
const ON_POSTGRES = [
  'test/routes/concurrency.test.ts',
  'test/routes/deadlines.test.ts',
  'test/routes/idempotency.test.ts',
  'test/routes/intake.test.ts',
  'test/routes/lifecycle-2.test.ts',
  'test/routes/loose-ends.test.ts',
  'test/routes/notes.test.ts',
  // Issue 26: the offers register, advice against it, the supply report.
  'test/routes/offers.test.ts',
  'test/reports/supply.test.ts',
  'test/console/offers.browser.test.ts',
  'test/routes/roles.test.ts',
  'test/audit/access-log.test.ts',
  'test/audit/audit-entries.test.ts',
  'test/audit/purpose-and-region.test.ts',
  'test/audit/trail-export.test.ts',
  // The console: people, sign-in links and sessions on PostgreSQL, and Chromium through every page.
  'test/console/console.test.ts',
  'test/console/console.browser.test.ts',
  'test/console/file.browser.test.ts',
  'test/console/beheer.test.ts',
  // E-mail notices and Beheer's mail (issue 25), against a real SMTP server in the test process.
  'test/notifications/mail.test.ts',
  'test/console/beheer-mail.test.ts',
  'test/console/beheer.browser.test.ts',
  'test/console/sign-in-hardening.test.ts',
  'test/console/loose-ends.browser.test.ts',
  'test/console/review.browser.test.ts',
  'test/console/overleg.browser.test.ts',
  'test/routes/errors.test.ts',
  'test/routes/lifecycle.test.ts',
  'test/routes/listing.test.ts',
  'test/routes/worklist-filters.test.ts',
  // §6.3: the regisseur and mijn werk.
  'test/routes/regisseur.test.ts',
  'test/routes/my-work.test.ts',
  'test/console/my-work.browser.test.ts',
  'test/routes/meta.test.ts',
  'test/routes/raw-http.test.ts',
  'test/routes/input-hygiene.test.ts',
  'test/routes/rules.test.ts',
  'test/routes/security-headers.test.ts',
  'test/routes/smoke.test.ts',
  'test/routes/overleg.test.ts',
  // The signalering figures, computed by PostgreSQL's dialect of the same statements.
  'test/reports/signalering.test.ts',
  'test/reports/signalering-access.test.ts',
  'test/reports/signalering-escalations.test.ts',
  'test/reports/signalering-commitments.test.ts',
  'test/reports/signalering-audience.test.ts',
  'test/reports/suppression.test.ts',
  // Issue 26: the municipality, the public expert teams and the publications.
  'test/public/*.test.ts',
  // Bad input of any shape: a 4xx, and the store exactly as it was (ctx.fingerprint on either store).
  'test/fuzz/*.test.ts',
];

/**
 * `npm run test:quick` (project `quick`): the unit and route tests on SQLite, for the inner loop.
 * Left out: what starts other processes or a browser, or needs PostgreSQL (crash tests, two
 * instances, Chromium through the console), and the property-based fuzzing; `npm test` runs them.
 */
const NOT_QUICK = [
  'test/crash/**', 'test/pg/**', 'test/fuzz/**', 'test/**/*.browser.test.ts', 'test/**/*.crash.test.ts',
  // The store contract opens PostgreSQL too, and fails without it (the quick project starts no cluster).
  'test/store/**',
];

// One throwaway PostgreSQL cluster per project that may need it, when PostgreSQL is installed.
const PG_SETUP = ['test/support/pg-global-setup.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default on two cores is one worker (cores − 1), which ran every file of both
    // projects one after another. Two workers (the projects share them) keep both cores busy; a
    // third made the PostgreSQL fuzz suites and the crash tests' services miss their budgets on a
    // busy machine.
    maxWorkers: 2,
    // A worker runs file after file with the modules it already imported (each test file itself
    // is evaluated afresh): importing the app's module graph costs about a second of CPU per file.
    // The tests share no module state but caches of pure functions (and the fixtures' clock,
    // which each test context restores when it closes).
    isolate: false,
    // A test that waits on something (a child process, Chromium, a receiver) says so with a
    // budget of its own; 30 s is for everything else, on a busy two-core machine too.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      // Also the store contract (test/store/contract.test.ts): it opens every adapter itself, SQLite
      // and PostgreSQL, so it runs here, once, and stays out of ON_POSTGRES (where it would only
      // run the same adapters a second time). This project starts the PostgreSQL cluster for it.
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], globalSetup: PG_SETUP } },
      {
        extends: true,
        test: { name: 'postgres', include: ON_POSTGRES, globalSetup: PG_SETUP, env: { PASSEND_TEST_STORE: 'postgres' } },
      },
      {
        extends: true,
        test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...NOT_QUICK] },
      },
    ],
  },
});
