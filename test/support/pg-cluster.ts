/**
 * A throwaway PostgreSQL cluster for the tests and the bench: `initdb` in a temporary folder,
 * started on a free port on 127.0.0.1 with trust authentication, stopped and removed afterwards.
 * PostgreSQL refuses to run as root, so as root the cluster runs as Debian's `postgres` user (or
 * `nobody`). Uses the server binaries of Debian's `postgresql` package (.ci/run installs it).
 *
 * `PASSEND_TEST_DATABASE_URL` names a server to use instead (a database on it is created per test
 * file; the role needs CREATEDB).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  /** A URL of the cluster's `postgres` database, as the superuser `passend`. */
  url: string;
  stop(): void;
}

/** The folder of initdb and pg_ctl, or null when PostgreSQL's server is not installed. */
export function postgresBinaries(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function unprivilegedUser(): { name: string; uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0) return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL');
}

/**
 * `durable: false` (the tests' cluster) turns fsync off: nothing a test checks survives or fails by
 * a power cut, and with fsync on every DROP DATABASE waits about a second for a checkpoint's
 * fsyncs. The bench keeps the default, durable like production.
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('PostgreSQL server binaries not found (Debian: apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'passend-pg-'));
  const data = join(dir, 'data');
  const user = unprivilegedUser();
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const run = (command: string, args: string[]) => {
    const [file, argv] = user ? ['runuser', ['-u', user.name, '--', join(bin, command), ...args]] : [join(bin, command), args];
    execFileSync(file, argv, { stdio: 'pipe', cwd: dir });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'passend', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  // Durable like production (fsync on) unless told otherwise; no socket file outside the folder;
  // enough connections for several instances per test file.
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=200`
      + (options.durable === false ? ' -c fsync=off' : ''), 'start']);
  let stopped = false;
  return {
    url: `postgres://passend@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
