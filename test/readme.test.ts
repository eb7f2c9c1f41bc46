/**
 * The README leads a newcomer (issue 30): short, the commands to start and to test and the way the
 * first person signs in on its first screen, and no link that leaves the repository or points at
 * nothing: every relative link in README.md and docs/*.md names a file of the repository, and
 * its #anchor, if any, a heading of that file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

/** The text without fenced code blocks and inline code, where a `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of the Markdown links and images in a file. */
export function linksIn(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's anchors for the headings of a file (duplicates numbered -1, -2, ...). */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** What is wrong with a relative link of the file at `from`, or null. */
function brokenLink(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path === '' ? join(ROOT, from) : resolve(dirname(join(ROOT, from)), decodeURIComponent(path));
  const inside = relative(ROOT, file);
  if (inside.startsWith('..') || inside.startsWith('/')) return `${target} leaves the repository`;
  if (!existsSync(file)) return `${target}: no such file`;
  if (anchor !== undefined && anchor !== '') {
    if (!statSync(file).isFile() || !file.endsWith('.md')) return null;
    if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) return `${target}: no heading #${anchor}`;
  }
  return null;
}

describe('README.md', () => {
  it('is at most 200 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('holds npm ci, npm test, user create and how long the tests take in its first 60 lines', () => {
    const first = README.split('\n').slice(0, 60).join('\n');
    expect(first).toContain('npm ci');
    expect(first).toContain('npm test');
    expect(first).toContain('user create');
    expect(first).toMatch(/npm test\b.*\d+ minutes/);
    expect(first).toContain('npm run test:quick');
  });

  it('cites the design by link, never a file outside the repository or a bare "DESIGN §"', () => {
    expect(README).not.toMatch(/\.\.\/shared|DESIGN §/);
    for (const doc of DOCS) expect(read(doc), doc).not.toMatch(/\.\.\/shared|DESIGN §/);
    expect(linksIn(README)).toContain('docs/design.md');
  });

  it('names the scripts that package.json has', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    for (const [, script] of README.matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)) expect(scripts, script).toContain(script);
  });
});

describe('the links of README.md and docs/*.md', () => {
  it('finds links and anchors as GitHub does (the checker can fail)', () => {
    expect(linksIn('see [a](docs/a.md#b) and ![c](c.png) but not `[d](e)` nor\n```\n[f](g)\n```\n'))
      .toEqual(['docs/a.md#b', 'c.png']);
    expect([...anchorsOf('# The API\n## 5.1 Intake that follows the law\n## A `code` (x)\n## The API\n')])
      .toEqual(['the-api', '51-intake-that-follows-the-law', 'a-code-x', 'the-api-1']);
    expect(brokenLink('README.md', 'docs/none.md')).toMatch(/no such file/);
    expect(brokenLink('README.md', '../shared/DESIGN.md')).toMatch(/leaves the repository/);
    expect(brokenLink('README.md', 'docs/design.md#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink('docs/api.md', '../README.md#configuration')).toBeNull();
  });

  it.each(['README.md', ...DOCS])('every relative link of %s resolves inside the repository', (file) => {
    const links = linksIn(read(file));
    expect(links.map((target) => brokenLink(file, target)).filter((problem) => problem !== null)).toEqual([]);
  });

  it('README links every file in docs/', () => {
    const linked = new Set(linksIn(README).map((l) => l.split('#')[0]));
    expect(DOCS.filter((doc) => !linked.has(doc))).toEqual([]);
  });
});
