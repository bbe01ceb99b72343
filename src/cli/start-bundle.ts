/**
 * A faster start for `bin/rpcsnoop.js` (issue 7: first output line within 100 ms). Loading ~90 small CommonJS
 * modules one by one costs node a path resolution, several stat calls, a file read and a compilation each: about
 * half of the time to the first line. The build (`npm run build`) therefore also writes one file holding the
 * compiled text of every module the CLI can load (dist/src/cli/main.js and what it requires, statically or lazily;
 * not tui/), and the first run writes V8's code cache for it next to it. bin/ then loads the CLI from that file.
 *
 * What keeps it safe:
 *  - the bundle's first line lists each module's size and mtime; if any module file differs (a `tsc` run since the
 *    bundle was built, an edited file, a missing one) the bundle is ignored and node loads the modules as usual;
 *  - a module taken from the bundle is entered in node's own module cache (require.cache) under its real file
 *    name before it runs, and the bundle takes a module from that cache if node loaded it first, so each module
 *    has one instance whichever way it is reached (the TUI reaches the core through src/index.js, from disk);
 *  - modules run only when first required, in the same order as without the bundle, so lazy loading still holds;
 *  - the code cache starts with the bundle's id and is used only with that bundle; V8 also refuses a cache made
 *    by another V8 version or with other flags (then it is simply rewritten). It is written at exit by a run that
 *    found none, through a temporary file and a rename, and silently not written where the directory is read-only.
 * `RPCSNOOP_NO_BUNDLE=1` loads the modules one by one (for profiles and stack traces with real file names).
 * Costs: about 0.5 MB on disk; stack traces of internal errors point into the bundle.
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { Script } from 'node:vm';

/** dist/, where tsc writes (this file is dist/src/cli/start-bundle.js). */
const DIST = join(__dirname, '..', '..');
export const BUNDLE_FILE = join(DIST, 'rpcsnoop-bundle.js');
const ENTRY = 'src/cli/main.js';
/** The first line's start; the number is the bundle's layout, so a loader never reads a bundle laid out otherwise. */
const MAGIC = '//rpcsnoop-bundle 2 ';
/** Bytes of the bundle id at the start of the code cache file. */
const ID_LEN = 40;

/** The bundle's first line: what it was built from. */
interface Manifest {
  id: string;
  /** [path relative to dist/ with '/', size in bytes, mtime in ms] of each module in the bundle. */
  modules: Array<[string, number, number]>;
}

type ModuleFn = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
/** A bundled module: what its relative requires name (spec → bundled module, worked out at build time, so that a
 *  run resolves no paths), and its code. */
type BundledModule = [Record<string, string>, ModuleFn];

/** The module a relative require in compiled code names: tsc writes `require("./x")` for ./x.js. */
function target(fromFile: string, spec: string): string {
  return join(dirname(fromFile), spec.endsWith('.js') ? spec : spec + '.js');
}

/** Every `require('./…')`/`require("../…")` in compiled code, statically or inside a function (lazy imports). */
function relativeRequires(code: string): string[] {
  return [...code.matchAll(/\brequire\((["'])(\.\.?\/[^"']+)\1\)/g)].map((m) => m[2]);
}

/** A path relative to dist/, with '/'. */
function distPath(dist: string, file: string): string {
  return relative(dist, file).split(sep).join('/');
}

/** Writes dist/rpcsnoop-bundle.js from the compiled modules reachable from the CLI (tui/ excluded) and removes a
 *  code cache of an earlier bundle. Returns the modules bundled (paths relative to dist/). */
export function buildBundle(dist = DIST): string[] {
  const files = new Map<string, string>();
  const todo = [join(dist, ENTRY)];
  const src = join(dist, 'src') + sep;
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (files.has(f)) continue;
    const code = readFileSync(f, 'utf8');
    files.set(f, code);
    for (const spec of relativeRequires(code)) {
      const t = target(f, spec);
      // a require that is not a file of dist/src (a directory's index, tui/) is left to node at run time
      if (t.startsWith(src) && !files.has(t) && statSync(t, { throwIfNoEntry: false })?.isFile()) todo.push(t);
    }
  }
  const modules: Manifest['modules'] = [];
  let body = '({\n';
  for (const [f, code] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const rel = distPath(dist, f);
    const st = statSync(f);
    modules.push([rel, st.size, st.mtimeMs]);
    const deps: Record<string, string> = {};
    for (const spec of relativeRequires(code)) if (files.has(target(f, spec))) deps[spec] = distPath(dist, target(f, spec));
    // the source map comment is dropped: in one script it would claim the whole bundle for this module's map
    const text = code.replace(/^\/\/# sourceMappingURL=.*$/m, '');
    body += `${JSON.stringify(rel)}: [${JSON.stringify(deps)}, function (exports, require, module, __filename, __dirname) {\n${text}\n}],\n`;
  }
  body += '})\n';
  // crypto only here, at build time: loading it costs a run a few milliseconds
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const id = createHash('sha1').update(JSON.stringify(modules)).update(body).digest('hex');
  const manifest: Manifest = { id, modules };
  writeAtomically(join(dist, 'rpcsnoop-bundle.js'), MAGIC + JSON.stringify(manifest) + '\n' + body);
  try {
    unlinkSync(join(dist, 'rpcsnoop-bundle.cache'));
  } catch {
    // none yet
  }
  return modules.map(([rel]) => rel);
}

/** The manifest of a bundle text, or null if it is not one. */
function readManifest(text: string): Manifest | null {
  if (!text.startsWith(MAGIC)) return null;
  try {
    const m = JSON.parse(text.slice(MAGIC.length, text.indexOf('\n'))) as Manifest;
    return typeof m.id === 'string' && m.id.length === ID_LEN && Array.isArray(m.modules) ? m : null;
  } catch {
    return null;
  }
}

/** True when every module file is still the one bundled (size and mtime). */
function isCurrent(m: Manifest, dist: string): boolean {
  for (const [rel, size, mtimeMs] of m.modules) {
    const st = statSync(join(dist, rel), { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

/** How the CLI was loaded, for tests and the benchmark. */
export type LoadedFrom = 'bundle+cache' | 'bundle' | 'modules';

/**
 * The CLI's main module: from the bundle when it is current (and `RPCSNOOP_NO_BUNDLE` is not set), otherwise
 * through node's require.
 */
export function loadMain(dist = DIST): { main: typeof import('./main').main; from: LoadedFrom } {
  const fallback = (): { main: typeof import('./main').main; from: LoadedFrom } => ({ main: (require(join(dist, ENTRY)) as typeof import('./main')).main, from: 'modules' });
  if (process.env.RPCSNOOP_NO_BUNDLE) return fallback();
  const bundleFile = join(dist, 'rpcsnoop-bundle.js');
  let text: string;
  try {
    text = readFileSync(bundleFile, 'utf8');
  } catch {
    return fallback();
  }
  const manifest = readManifest(text);
  if (!manifest || !isCurrent(manifest, dist)) return fallback();

  const cacheFile = join(dist, 'rpcsnoop-bundle.cache');
  let cachedData: Buffer | undefined;
  try {
    const c = readFileSync(cacheFile);
    if (c.length > ID_LEN && c.toString('latin1', 0, ID_LEN) === manifest.id) cachedData = c.subarray(ID_LEN);
  } catch {
    // no cache yet: written at exit
  }
  const script = new Script(text, { filename: bundleFile, cachedData });
  const defs = script.runInThisContext() as Record<string, BundledModule>;
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache also holds the functions this run compiled, not only the top level.
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, Buffer.concat([Buffer.from(manifest.id, 'latin1'), script.createCachedData()]));
      } catch {
        // a read-only installation runs without the cache
      }
    });
  }

  const load = (rel: string, parent: Module | null): unknown => {
    const filename = join(dist, rel);
    const cached = require.cache[filename];
    if (cached) return cached.exports;
    const m = new Module(filename, parent ?? undefined);
    m.filename = filename;
    require.cache[filename] = m;
    const [deps, fn] = defs[rel];
    let nodeRequire: NodeJS.Require | null = null;
    const req = ((spec: string): unknown => {
      if (Object.hasOwn(deps, spec)) return load(deps[spec], m);
      // node's own modules are the same from anywhere; a require function of its own per module costs ~0.1 ms
      if (spec.startsWith('node:')) return require(spec);
      nodeRequire ??= createRequire(filename);
      return nodeRequire(spec);
    }) as NodeJS.Require;
    try {
      fn.call(m.exports, m.exports, req, m, filename, dirname(filename));
    } catch (e) {
      delete require.cache[filename];
      throw e;
    }
    m.loaded = true;
    return m.exports;
  };
  const main = (load(ENTRY, null) as typeof import('./main')).main;
  return { main, from: cachedData !== undefined && !script.cachedDataRejected ? 'bundle+cache' : 'bundle' };
}

function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
    throw e;
  }
}

if (require.main === module) {
  // `node dist/src/cli/start-bundle.js`: the build step after tsc (package.json "build").
  const mods = buildBundle();
  process.stdout.write(`rpcsnoop: bundled ${mods.length} modules into ${relative(process.cwd(), BUNDLE_FILE)}\n`);
}
