/**
 * Summarises a V8 .cpuprofile (from BENCH_CPU_PROF_DIR=... npm run bench): self time by
 * function and by package or source folder, and total (inclusive) time of chosen functions.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);

function area(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const m = /\/work\/[^/]+\/(.+)\/[^/]+$/.exec(url);
  return m ? m[1]! : url;
}
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules\/)?/, '')}:${n.callFrame.lineNumber + 1}`;

const fnSelf = new Map<string, number>();
const areaSelf = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
  const a = ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName)
    ? n.callFrame.functionName : area(n.callFrame.url);
  areaSelf.set(a, (areaSelf.get(a) ?? 0) + us);
}
const pct = (us: number) => `${(100 * us / totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms`;

console.log(`profile ${file}: ${(totalUs / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by area');
for (const [a, us] of [...areaSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${a}`);
console.log('\nself time by function');
for (const [f, us] of [...fnSelf].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${pct(us)}  ${f}`);

// Inclusive time of a few functions of interest (counted once per sample even under recursion).
const interest = (process.env.PROFILE_FUNCTIONS ??
  'applyTx,step,transition,resolveState,parseBody,caseView,serialize,hashToken,find,JSON.parse,stringify,run,get,getNextTransitions,runMiddlewareSettled,onRequest,preHandlerCallback,handleRequest,emit')
  .split(',');
const inclusive = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = byId.get(cur)!.callFrame.functionName;
    if (interest.includes(name) && !seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  }
});
console.log('\ninclusive time of selected functions');
for (const [f, us] of [...inclusive].sort((x, y) => y[1] - x[1])) console.log(`${pct(us)}  ${f}`);

// PROFILE_TREE=applyNew[,depth]: the call tree under a function, inclusive time per child, to `depth` levels.
if (process.env.PROFILE_TREE) {
  const [root, depthArg = '3'] = process.env.PROFILE_TREE.split(',');
  const maxDepth = Number(depthArg);
  const inclusiveOf = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      inclusiveOf.set(cur, (inclusiveOf.get(cur) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });
  // Children of equal label merged, so a function reached by several paths shows once per level.
  const print = (ids: number[], depth: number) => {
    const merged = new Map<string, { us: number; ids: number[] }>();
    for (const id of ids) {
      const n = byId.get(id)!;
      const m = merged.get(label(n)) ?? { us: 0, ids: [] };
      m.us += inclusiveOf.get(id) ?? 0;
      m.ids.push(...(n.children ?? []));
      merged.set(label(n), m);
    }
    for (const [l, m] of [...merged].sort((a, b) => b[1].us - a[1].us)) {
      if (m.us < totalUs * 0.002) continue;
      console.log(`${pct(m.us)}  ${'  '.repeat(depth)}${l}`);
      if (depth < maxDepth) print(m.ids, depth + 1);
    }
  };
  const roots = profile.nodes.filter((n) => n.callFrame.functionName === root).map((n) => n.id);
  console.log(`\ncall tree under ${root}`);
  print(roots, 0);
}
