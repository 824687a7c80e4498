/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof`):
 * self time by function and by file, and inclusive ("total") time by function — a function's
 * total counts each sample once, however deep the recursion.
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top=25] [--filter=text] [--window]
 *
 * Wall-clock samples: on a busy machine the time the process waits for a CPU is charged to
 * whatever it was doing when preempted — typically the `writev` of a response, which wakes the
 * load generator. Read the other entries as shares of the rest.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top=25] [--filter=text] [--window]\n');
  process.exit(2);
}
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? '25');
// --window: count only the samples after the profile's last idle stretch of 3 s or more — in a
// bench run that is the workload's warm-up and measured window (the server idles while the
// baseline runs), without start-up and set-up.
const windowOnly = args.includes('--window');
const filter = args.find((a) => a.startsWith('--filter='))?.slice(9);

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const cwd = process.cwd();
function where(node: ProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  if (!url) return '';
  const local = url.startsWith('file://') ? path.relative(cwd, new URL(url).pathname) : url;
  return `${local}:${lineNumber + 1}`;
}
function key(node: ProfileNode): string {
  const name = node.callFrame.functionName || '(anonymous)';
  const at = where(node);
  return at ? `${name}  ${at}` : name;
}
function fileOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const local = url.startsWith('file://') ? path.relative(cwd, new URL(url).pathname) : url;
  return local.replace(/^node_modules\/([^/]+(?:\/[^/]+)?)\/.*$/, (_, pkg: string) => `node_modules/${pkg.startsWith('@') ? pkg : pkg.split('/')[0]}`);
}

const self = new Map<string, number>();
const selfFile = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
let idle = 0;
let first = 0;
if (windowOnly) {
  let idleSince = 0;
  let run = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const name = byId.get(profile.samples[i]!)?.callFrame.functionName;
    if (name === '(idle)') run += profile.timeDeltas[i] ?? 0;
    else {
      if (run >= 3e6) idleSince = i;
      run = 0;
    }
  }
  first = idleSince;
}
for (let i = first; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i]!);
  if (!node) continue;
  all += dt;
  const name = node.callFrame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
    if (name === '(idle)') idle += dt;
  }
  self.set(key(node), (self.get(key(node)) ?? 0) + dt);
  selfFile.set(fileOf(node), (selfFile.get(fileOf(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const k = key(byId.get(id)!);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + dt);
  }
}

const busy = all - idle;
const pct = (x: number) => `${((100 * x) / busy).toFixed(1).padStart(5)} %`;
const msText = (x: number) => `${(x / 1000).toFixed(0).padStart(7)} ms`;
function print(title: string, map: Map<string, number>): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...map.entries()].filter(([k]) => k !== '(idle)' && (!filter || k.includes(filter))).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, v] of rows) process.stdout.write(`${msText(v)} ${pct(v)}  ${k}\n`);
}

process.stdout.write(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${(idle / 1e6).toFixed(1)} s idle, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)\n`);
print('self time by function', self);
print('self time by file', selfFile);
print('total (inclusive) time by function', total);
