/**
 * Lab: the TUI on a live capture. `rpcsnoop --tui -i lo -w tui.pcap` runs in a real terminal (tmux, 132×40) while
 * real clients (rpcinfo, showmount, libnfs nfs-ls/nfs-cat) talk to real servers (`lab.sh start`: rpcbind and
 * nfs-ganesha). Nothing but the clients' traffic drives the screen: no key is pressed between a client step and
 * the check of its rows. In one run:
 *
 * 1. The status bar says `live follow` once the capture is open; rpcsnoop runs as nobody with no capabilities
 *    (/proc/PID/task/TID/status, every thread).
 * 2. After each client step (rpcinfo -p, showmount -e, nfs-ls, nfs-cat of a missing file) its rows appear on screen
 *    by themselves (PORTMAP2 DUMP, MOUNT3 EXPORT, MOUNT3 MNT MNT3_OK, NFS3 READDIRPLUS, NFS3 LOOKUP NFS3ERR_NOENT),
 *    within SHOW_WAIT_MS of the client's exit (the delay is reported); follow mode keeps the newest row selected
 *    and on screen (the oldest scroll away); the status counters (frames, messages, pairs) grow.
 * 3. Redraws: a 1.5 s stream of small calls (rpcinfo -u, back to back) is shown while it runs (the counters move
 *    on screen during it) with at most 10 redraws a second (app.ts's REDRAW_MS; counted in what rpcsnoop writes to
 *    the terminal, tmux pipe-pane: blessed starts each redraw that changes something with ESC 7); when the traffic
 *    stops, nothing more is written (no redraw without a change, nothing scribbled on the screen). Every screen read
 *    has the TUI's layout: filter bar, header, detail and hex titles, status bar, no stray text.
 * 4. Space pauses: another client step leaves the list as it was while the status says `paused (N new)`; space
 *    again shows exactly those N rows.
 * 5. `f` `status != OK` Enter, live: only the error row is shown, and a new failing client adds only its error row
 *    while its OK rows pass by; `rpcsnoop -r tui.pcap -Y 'status != OK'` finds the same calls, and as many
 *    messages as the TUI counted.
 * 6. `q`: exit 0, terminal restored (#{alternate_on} 0, #{cursor_flag} 1, #{mouse_any_flag} 0).
 *
 * lo's MTU is left alone: this workload has no frame anywhere near cap's 65535-byte snaplen (lab-live.test.ts has
 * the 1 MiB transfer that needs it lowered).
 *
 * Needs root, the lab's packages, tmux and the built `cap`: skipped with the reason without them, a failure under
 * CI=true (as the other lab tests). Takes about 7 s (plus up to 65 s when `lab.sh start` has to wait for port 875,
 * see lab.sh). LAB_KEEP=1 keeps the directory (tui.pcap, the terminal output tty.out, ganesha's log) of a failed
 * run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { BIN, ROOT } from '../helpers/fixtures';
import { TmuxSession, tmuxMissing } from '../helpers/tmux';
import { waitForFreePort } from './lab-ports';
import { cleanupOnAbort } from './lab-lifecycle';

const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
const CI = process.env.CI === 'true';
const HOST = '127.0.0.1';
/** rpcbind, NFS and MOUNT (lab.sh's ganesha.conf); nothing else on lo matches. */
const FILTER = 'port 111 or port 2049 or port 20048';
const NFS_PORT = 2049;
const COLS = 132;
const ROWS = 40;
/** List rows at 40 lines (controller.ts paneSizes: 45 % of the 35 body lines). */
const LIST_ROWS = 16;
/** `lab.sh start` takes under a second, but waits up to 65 s if a client connection holds ganesha's RQUOTA port. */
const START_TIMEOUT_MS = 120_000;
const CLIENT_TIMEOUT_MS = 30_000;
/** How long rows may take to appear after the client that caused them has exited. */
const SHOW_WAIT_MS = 3_000;
/** app.ts redraws for new data at most every REDRAW_MS. */
const REDRAW_MS = 100;
const BURST_MS = 1_500;
const POLL_MS = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function commandExists(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why this cannot run here, or null if it can. */
function unmetPrerequisites(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (the lab starts rpcbind and nfs-ganesha and captures on lo)';
  const r = spawnSync('bash', [LAB_SH, 'check'], { encoding: 'utf8' });
  if (r.error) return `cannot run bash: ${r.error.message}`;
  if (r.status !== 0) return `${r.stdout.trim().split('\n').join('; ') || r.stderr.trim()}`;
  const tmux = tmuxMissing();
  if (tmux !== null) return tmux;
  try {
    require('cap');
  } catch (e) {
    return `the npm package cap is not built (${(e as Error).message.split('\n')[0]}): apt-get install libpcap-dev && npm rebuild cap`;
  }
  if (!commandExists('rpcinfo')) return 'missing command rpcinfo (apt-get install rpcbind)';
  return null;
}


// ---------------------------------------------------------------------------------------------------------------
// The lab of this file and everything started for it, undone by one synchronous cleanup (also from 'exit' and
// signal handlers).

const lab = {
  dir: '',
  started: false,
  children: new Set<ChildProcess>(),
  tmux: null as TmuxSession | null,
  failed: false,
};

function cleanup(): void {
  for (const c of lab.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  lab.children.clear();
  // killing the tmux server hangs up the TUI (SIGHUP), which stops capturing and exits
  lab.tmux?.kill();
  lab.tmux = null;
  let stopped = true;
  if (lab.started) {
    lab.started = false;
    const r = spawnSync('bash', [LAB_SH, 'stop', lab.dir], { encoding: 'utf8', timeout: 60_000 });
    stopped = r.status === 0;
    if (!stopped || lab.failed) process.stderr.write(r.stderr ?? String(r.error));
  }
  if (lab.dir !== '') {
    if (!stopped) process.stderr.write(`lab-tui-live: lab.sh stop failed: kept ${lab.dir}\n`);
    else if (lab.failed && process.env.LAB_KEEP === '1') process.stderr.write(`lab-tui-live: kept ${lab.dir}\n`);
    else rmSync(lab.dir, { recursive: true, force: true });
    lab.dir = '';
  }
}

const unhook = cleanupOnAbort(cleanup);
after(() => {
  cleanup();
  unhook();
});

const unmet = unmetPrerequisites();

/** Skips (or fails under CI) without the prerequisites; starts the lab. False when skipped. */
async function useLab(t: TestContext): Promise<boolean> {
  if (unmet !== null) {
    if (CI) assert.fail(`lab prerequisite missing under CI=true: ${unmet}`);
    t.skip(unmet);
    return false;
  }
  await waitForFreePort(t, NFS_PORT, START_TIMEOUT_MS);
  lab.dir = mkdtempSync('/tmp/rpcsnoop-tui-live-');
  const ts = Date.now();
  lab.started = true;
  const start = spawnSync('bash', [LAB_SH, 'start', lab.dir], { encoding: 'utf8', timeout: START_TIMEOUT_MS, killSignal: 'SIGTERM' });
  for (const l of (start.stderr ?? '').split('\n').filter(Boolean)) t.diagnostic(l);
  if (start.error || start.status !== 0) assert.fail(start.error ? `lab.sh start did not finish: ${String(start.error)}` : `lab.sh start failed:\n${start.stderr}`);
  t.diagnostic(`lab.sh start: ${Date.now() - ts} ms`);
  return true;
}

interface Done {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client to its end, asynchronously (the screen can be read meanwhile). */
function runClient(cmd: string, args: string[]): Promise<Done> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.children.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGTERM'), CLIENT_TIMEOUT_MS);
    p.on('error', (e) => {
      clearTimeout(timer);
      lab.children.delete(p);
      reject(e);
    });
    p.on('close', (status) => {
      clearTimeout(timer);
      lab.children.delete(p);
      resolve({ status, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the screen

interface Row {
  frame: number;
  program: string;
  proc: string;
  /** The status cell ('' while the call waits for its reply). */
  status: string;
  /** Shown in reverse video: the selection. */
  selected: boolean;
  text: string;
}

interface Screen {
  lines: string[];
  rows: Row[];
  /** The status bar: mode (live, paused, done), `N new` while paused, follow. */
  mode: string;
  waiting: number;
  follow: boolean;
  counters: { frames: number; messages: number; pairs: number; errors: number };
  /** The filter and its row count, when one is applied. */
  filter: { text: string; shown: number } | null;
  /** The filter or search prompt is open (its help line replaces the list header; no rows are read then). */
  prompt: boolean;
}

const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** An SGR sequence that turns reverse video on (parameter 7, alone or among others). */
const REVERSE = /\x1b\[(?:\d+;)*7(?:;\d+)*m/;

/** The screen once tmux has taken in a whole redraw. A redraw is one write of up to a few KiB, but tmux reads the
 *  terminal in pieces and capture-pane can land between two of them: a screen with new rows above an old status
 *  bar. Two captures in a row that agree were not taken in the middle of a redraw. */
function settledScreen(s: TmuxSession): string {
  let prev = s.screen(true);
  for (let i = 0; i < 50; i++) {
    const next = s.screen(true);
    if (next === prev) return next;
    prev = next;
  }
  return assert.fail(`the screen never stopped changing (50 captures):\n${prev}`);
}

/** Parses the main view as tui/render-main.ts lays it out; throws (with the screen) if anything else is on it. */
function readScreen(s: TmuxSession): Screen {
  const esc = settledScreen(s).replace(/\n$/, '').split('\n');
  const lines = esc.map((l) => l.replace(CSI, ''));
  const fail = (why: string): never => assert.fail(`${why}; the screen was:\n${lines.join('\n')}`);
  if (lines.length !== ROWS) fail(`${lines.length} lines on a ${ROWS}-line terminal`);
  if (lines.some((l) => l.length > COLS)) fail(`a line wider than ${COLS} columns`);
  if (!lines[0].startsWith('Filter: ')) fail('no filter bar on the first line');
  // stderr must not reach the screen while the TUI runs (app.ts keeps it for after)
  if (lines.some((l) => /rpcsnoop: |Warning: /.test(l))) fail('stray text on the screen');
  const detailAt = lines.findIndex((l) => l.startsWith('-- Detail'));
  const hexAt = lines.findIndex((l) => l.startsWith('-- Hex'));
  if (detailAt !== LIST_ROWS + 2 || hexAt <= detailAt) fail('the detail and hex panes are not where the layout puts them');
  const status = lines[ROWS - 1];
  // (a notice from the last key comes first: "follow: on (newest row selected) | live ...")
  const m = /^(?:[^|]* \| )?(live|paused|done)( \((\d+) new\))?( follow)? \| (?:filter: (.*) \((\d+) shown\) \| )?lo \| frames (\d+) \| messages (\d+) \| pairs (\d+) \| unanswered \d+ \| errors (\d+)/.exec(status);
  if (!m) fail(`not a status bar on the last line: ${status}`);
  const [, mode, , waiting, follow, ftext, fshown, frames, messages, pairs, errors] = m as RegExpExecArray;

  const rows: Row[] = [];
  const header = lines[1];
  const prompt = /^(Enter apply|Enter search)/.test(header);
  const base = { lines, mode, waiting: waiting === undefined ? 0 : Number(waiting), follow: follow !== undefined, prompt };
  const counters = { frames: Number(frames), messages: Number(messages), pairs: Number(pairs), errors: Number(errors) };
  const filter = ftext === undefined ? null : { text: ftext, shown: Number(fshown) };
  if (prompt) return { ...base, rows, counters, filter };
  const at = (title: string): number => {
    const i = header.indexOf(` ${title} `);
    return i < 0 ? fail(`no ${title} column in the header: ${header}`) : i + 1;
  };
  if (!/^\s+No\.\s+Time\s+Client/.test(header)) fail('no list header on the second line');
  const [prog, proc, arg, st] = [at('Program'), at('Proc'), at('Argument'), at('Status')];
  for (let i = 2; i < detailAt; i++) {
    const l = lines[i];
    if (!/^\s*\d+ /.test(l)) {
      // the list holds rows, then blank lines; a note only when it has no row
      if (l.trim() !== '' && !(i === 2 && /^\(no /.test(l))) fail(`line ${i + 1} is neither a row nor blank`);
      continue;
    }
    const cell = l.slice(st).trim().split(/\s+/)[0] ?? '';
    rows.push({
      frame: Number(l.trim().split(/\s+/)[0]),
      program: l.slice(prog, proc).trim(),
      proc: l.slice(proc, arg).trim(),
      status: /^[\d.]+[mµu]?s$|^…$/.test(cell) ? '' : cell,
      selected: REVERSE.test(esc[i]),
      text: l,
    });
  }
  return { ...base, rows, counters, filter };
}

/** Polls the screen until `test` holds; returns it and when it first held. Fails after `ms` with the screen. */
async function until(s: TmuxSession, what: string, test: (sc: Screen) => boolean, ms = SHOW_WAIT_MS): Promise<{ sc: Screen; at: number }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const sc = readScreen(s);
    if (test(sc)) return { sc, at: Date.now() };
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}; the screen was:\n${sc.lines.join('\n')}`);
    await sleep(POLL_MS);
  }
}

/** Follow mode on screen: the newest row (the last, with the highest frame number) is the selected one. */
function assertFollowing(sc: Screen, what: string): void {
  assert.ok(sc.follow, `${what}: follow mode is on (status bar)\n${sc.lines.join('\n')}`);
  const last = sc.rows[sc.rows.length - 1];
  assert.ok(last, `${what}: no rows`);
  assert.equal(Math.max(...sc.rows.map((r) => r.frame)), last.frame, `${what}: the last row is the newest\n${sc.lines.join('\n')}`);
  assert.deepEqual(
    sc.rows.filter((r) => r.selected).map((r) => r.frame),
    [last.frame],
    `${what}: the newest row, and only it, is selected\n${sc.lines.join('\n')}`,
  );
}

/** Redraws blessed made in a piece of the terminal output: each one that changes something starts with ESC 7
 *  (save cursor, blessed Screen.draw), and nothing else rpcsnoop writes contains it. */
function redrawsIn(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf('\x1b7'); i >= 0; i = bytes.indexOf('\x1b7', i + 2)) n++;
  return n;
}

/** The rpcsnoop process of the pane: the node child of the pane's shell. */
function tuiPid(s: TmuxSession): number {
  const shell = Number(s.format('#{pane_pid}'));
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /\) \S+ (\d+) /.exec(stat);
      if (m && Number(m[1]) === shell && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('rpcsnoop')) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return assert.fail(`no rpcsnoop process under the pane's shell (pid ${shell})`);
}

// ---------------------------------------------------------------------------------------------------------------

test('lab TUI live: rows of real clients appear as they run, follow, pause, filter, q restores', { timeout: START_TIMEOUT_MS + 60_000 }, async (t) => {
  if (!(await useLab(t))) return;
  const t0 = Date.now();
  let ok = false;
  try {
    const url = `nfs://${HOST}${lab.dir}/export`;
    const pcap = join(lab.dir, 'tui.pcap');
    const tty = join(lab.dir, 'tty.out');
    const s = new TmuxSession([process.execPath, BIN, '--tui', '-i', 'lo', '-f', FILTER, '-w', pcap], { cols: COLS, rows: ROWS });
    lab.tmux = s;

    // ------------------------------------------------------------------------------ 1. live, not root
    // (the screen is the shell's until the TUI has drawn: wait for its status bar before reading it strictly)
    await s.waitFor(/^live /m, 'the live status', 10_000);
    const started = await until(s, 'the live status', (sc) => sc.mode === 'live');
    s.pipeTo(tty);
    assert.ok(started.sc.follow, 'live starts in follow mode');
    assert.deepEqual(started.sc.rows, [], 'no rows before any client ran');
    assert.match(started.sc.lines[2], /\(no RPC message yet\)/);
    const pid = tuiPid(s);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const st = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(st)?.[1] ?? assert.fail(`no ${name} in /proc/${pid}/task/${task}/status`);
      assert.ok(field('Uid').split(/\s+/).every((u) => u !== '0'), `thread ${task} of rpcsnoop --tui still has uid 0: Uid ${field('Uid')}`);
      assert.ok(field('Gid').split(/\s+/).every((g) => g !== '0'), `thread ${task} still has gid 0: Gid ${field('Gid')}`);
      assert.match(field('CapEff'), /^0+$/, `thread ${task} keeps capabilities`);
    }
    t.diagnostic(`rpcsnoop --tui (pid ${pid}) live after ${started.at - t0} ms, runs as Uid ${/^Uid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1].replace(/\s+/g, ' ')}`);

    // ------------------------------------------------------------------------------ 2. client steps
    let last = started.sc;
    const delays: string[] = [];
    /** Runs a client; then waits, without a key pressed, for a new row (frame after every row shown before) of
     *  each kind in `want` ([program, procedure, status]). */
    const step = async (what: string, cmd: string, args: string[], expectFail: boolean, want: [string, string, string][]): Promise<{ sc: Screen; rows: Map<number, Row> }> => {
      const newerThan = Math.max(0, ...last.rows.map((r) => r.frame));
      const before = last.counters;
      const ts = Date.now();
      const r = await runClient(cmd, args);
      const ended = Date.now();
      if (expectFail) assert.notEqual(r.status, 0, `${what} succeeded but must fail`);
      else assert.equal(r.status, 0, `${what} (${cmd} ${args.join(' ')}) failed: ${r.stderr.trim()}`);
      const seen = new Map<number, Row>();
      const found = (sc: Screen): boolean => {
        for (const row of sc.rows) if (row.frame > newerThan) seen.set(row.frame, row);
        return want.every(([p, n, st]) => [...seen.values()].some((row) => row.program === p && row.proc === n && row.status === st));
      };
      const { sc, at } = await until(s, `the rows of ${what} (${want.map((w) => w.join(' ')).join(', ')})`, found);
      delays.push(`${what}: ${at - ended} ms`);
      t.diagnostic(`${what}: client ran ${ended - ts} ms; its rows were on screen ${at - ended} ms after it exited (${seen.size} new rows seen)`);
      assertFollowing(sc, what);
      assert.ok(sc.counters.frames > before.frames && sc.counters.messages > before.messages && sc.counters.pairs > before.pairs, `${what}: the counters grow (${JSON.stringify(before)} -> ${JSON.stringify(sc.counters)})`);
      last = sc;
      return { sc, rows: seen };
    };

    await step('rpcinfo -p', 'rpcinfo', ['-p', HOST], false, [['PORTMAP2', 'DUMP', 'OK']]);
    const firstFrame = last.rows[0].frame;
    await step('showmount -e', 'showmount', ['-e', HOST], false, [['MOUNT3', 'EXPORT', 'OK']]);
    await step('nfs-ls', 'nfs-ls', [url], false, [
      ['MOUNT3', 'MNT', 'MNT3_OK'],
      ['NFS3', 'READDIRPLUS', 'NFS3_OK'],
    ]);
    const missing = await step('nfs-cat of a missing file', 'nfs-cat', [`${url}/no-such-file.txt`], true, [['NFS3', 'LOOKUP', 'NFS3ERR_NOENT']]);
    const noent = [...missing.rows.values()].filter((r) => r.status === 'NFS3ERR_NOENT').map((r) => r.frame);
    // more rows than the list holds by now: the oldest scrolled away, the newest stays in view
    assert.equal(last.rows.length, LIST_ROWS, `the list is full\n${last.lines.join('\n')}`);
    assert.ok(!last.rows.some((r) => r.frame === firstFrame), `the first row (frame ${firstFrame}) scrolled away\n${last.lines.join('\n')}`);

    // ------------------------------------------------------------------------------ 3. redraws
    // A steady stream of small calls: shown while it runs, at most 10 redraws a second.
    const sizeOf = (): number => statSync(tty).size;
    const burstFrom = sizeOf();
    const burstStart = Date.now();
    const during = new Set<number>();
    let runs = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        during.add(readScreen(s).counters.messages);
        await sleep(50);
      }
    })();
    while (Date.now() - burstStart < BURST_MS) {
      const r = await runClient('rpcinfo', ['-u', HOST, '100000', '2']);
      assert.equal(r.status, 0, `rpcinfo -u: ${r.stderr.trim()}`);
      runs++;
    }
    polling = false;
    await poller;
    const burstMs = Date.now() - burstStart;
    const burstTo = sizeOf();
    const redraws = redrawsIn(readFileSync(tty).subarray(burstFrom, burstTo));
    t.diagnostic(`burst: ${runs} rpcinfo -u in ${burstMs} ms; ${redraws} redraws (${((redraws * 1000) / burstMs).toFixed(1)} a second, ${burstTo - burstFrom} bytes); ${during.size} different message counts seen on screen meanwhile`);
    assert.ok(runs >= 10, `only ${runs} clients ran in ${burstMs} ms`);
    assert.ok(during.size >= 5, `the screen barely moved during ${burstMs} ms of traffic: message counts ${[...during].join(', ')}`);
    assert.ok(redraws <= Math.ceil(burstMs / REDRAW_MS) + 2, `${redraws} redraws in ${burstMs} ms: more than 10 a second`);
    assert.ok(redraws >= 5, `only ${redraws} redraws in ${burstMs} ms of traffic`);
    last = (await until(s, 'the burst shown', (sc) => sc.rows.some((r) => r.program === 'PORTMAP2' && r.proc === 'NULL' && r.status === 'OK'))).sc;
    assertFollowing(last, 'after the burst');
    // when the traffic stops, so does the output: a redraw with nothing new writes nothing
    await sleep(300);
    const quietFrom = sizeOf();
    const quietCounters = readScreen(s).counters;
    await sleep(1_000);
    const quiet = readFileSync(tty).subarray(quietFrom);
    assert.deepEqual(readScreen(s).counters, quietCounters, 'traffic while idle');
    assert.equal(quiet.length, 0, `written to the terminal in 1 s without traffic or keys: ${JSON.stringify(quiet.toString('latin1').slice(0, 200))}`);
    last = readScreen(s);

    // ------------------------------------------------------------------------------ 4. follow off, pause
    // k: the row above is selected and follow ends; new rows then leave the selection and the list where they are
    s.keys(['k']);
    const held = (await until(s, 'follow off', (sc) => !sc.follow)).sc;
    const heldSel = held.rows.filter((r) => r.selected).map((r) => r.frame);
    assert.deepEqual(heldSel, [held.rows[held.rows.length - 2].frame], 'k selects the row above the newest');
    const r0 = await runClient('showmount', ['-e', HOST]);
    assert.equal(r0.status, 0, `showmount -e: ${r0.stderr.trim()}`);
    const moved = (await until(s, 'the counters after showmount -e', (sc) => sc.counters.pairs >= held.counters.pairs + 2)).sc;
    await sleep(2 * REDRAW_MS);
    const unmoved = readScreen(s);
    assert.equal(unmoved.mode, 'live');
    assert.deepEqual(unmoved.rows.map((r) => r.text), held.rows.map((r) => r.text), 'without follow, new rows do not scroll the list');
    assert.deepEqual(unmoved.rows.filter((r) => r.selected).map((r) => r.frame), heldSel, 'without follow, the selection stays');
    // F: follow again, the newest row (the MOUNT3 EXPORT just made) selected
    s.keys(['F']);
    last = (await until(s, 'follow on', (sc) => sc.follow && sc.rows.some((r) => r.frame > held.rows[held.rows.length - 1].frame && r.proc === 'EXPORT'))).sc;
    assertFollowing(last, 'F');
    assert.ok(moved.counters.messages > held.counters.messages);

    let ts = Date.now();
    s.keys(['Space']);
    const paused = (await until(s, 'the paused status', (sc) => sc.mode === 'paused')).sc;
    t.diagnostic(`space: paused shown after ${Date.now() - ts} ms`);
    const frozen = paused.rows.map((r) => r.text);
    const frozenMax = Math.max(...paused.rows.map((r) => r.frame));
    const r1 = await runClient('showmount', ['-e', HOST]);
    assert.equal(r1.status, 0, `showmount -e: ${r1.stderr.trim()}`);
    const ended = Date.now();
    const waitingShown = await until(s, '"(N new)" in the paused status', (sc) => sc.waiting >= 2 && sc.counters.pairs >= paused.counters.pairs + 2);
    t.diagnostic(`paused: "(${waitingShown.sc.waiting} new)" on screen ${waitingShown.at - ended} ms after showmount -e exited`);
    await sleep(300); // nothing more comes: the list must still be as it was
    const still = readScreen(s);
    assert.equal(still.mode, 'paused');
    assert.deepEqual(still.rows.map((r) => r.text), frozen, 'the list does not change while paused');
    assert.ok(still.counters.messages > paused.counters.messages, 'the counters go on while paused');
    const waiting = still.waiting;
    ts = Date.now();
    s.keys(['Space']);
    const resumed = await until(s, 'the waiting rows after resuming', (sc) => sc.mode === 'live' && sc.rows.some((r) => r.frame > frozenMax && r.program === 'MOUNT3' && r.proc === 'EXPORT'));
    delays.push(`resume: ${resumed.at - ts} ms`);
    t.diagnostic(`space again: the ${waiting} waiting rows shown after ${resumed.at - ts} ms`);
    assert.equal(resumed.sc.rows.filter((r) => r.frame > frozenMax).length, waiting, `exactly the ${waiting} rows that waited\n${resumed.sc.lines.join('\n')}`);
    assertFollowing(resumed.sc, 'resumed');
    last = resumed.sc;

    // ------------------------------------------------------------------------------ 5. status != OK, live
    s.keys(['f']);
    await until(s, 'the filter prompt', (sc) => sc.prompt);
    s.keys(['status != OK'], true);
    ts = Date.now();
    s.keys(['Enter']);
    let filtered = (await until(s, 'the filter applied', (sc) => !sc.prompt && sc.filter !== null)).sc;
    t.diagnostic(`filter applied after ${Date.now() - ts} ms: ${filtered.filter?.shown} rows shown`);
    assert.deepEqual(filtered.filter, { text: 'status != OK', shown: noent.length });
    assert.deepEqual(filtered.rows.map((r) => r.frame), noent, 'only the error row');
    last = filtered;
    const again = await step('nfs-cat of another missing file (filtered)', 'nfs-cat', [`${url}/also-missing.txt`], true, [['NFS3', 'LOOKUP', 'NFS3ERR_NOENT']]);
    noent.push(...[...again.rows.values()].map((r) => r.frame));
    filtered = again.sc;
    assert.deepEqual(filtered.filter, { text: 'status != OK', shown: 2 }, 'the filter shows the two error rows');
    assert.deepEqual(filtered.rows.map((r) => r.frame), noent, 'only the error rows, while the OK rows passed by');
    assert.ok(filtered.rows.every((r) => r.status === 'NFS3ERR_NOENT'));
    assert.equal(filtered.counters.errors, 2);
    const counted = filtered.counters;

    // ------------------------------------------------------------------------------ 6. q
    ts = Date.now();
    s.keys(['q']);
    await s.waitFor(/^EXIT=0$/m, 'EXIT=0', 10_000);
    t.diagnostic(`q: exited after ${Date.now() - ts} ms`);
    assert.equal(s.format('#{alternate_on}'), '0', 'left the alternate screen');
    assert.equal(s.format('#{cursor_flag}'), '1', 'cursor visible');
    assert.equal(s.format('#{mouse_any_flag}'), '0', 'mouse reporting off');
    assert.doesNotMatch(s.screen(), /internal error|^\s+at /m);

    // the -w file: the same errors and as many messages as the TUI counted
    const r = spawnSync(process.execPath, [BIN, '-r', pcap, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const msgs = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; frame: number; status?: string });
    assert.equal(msgs.length, counted.messages, 'rpcsnoop -r tui.pcap finds as many messages as the TUI counted');
    const y = spawnSync(process.execPath, [BIN, '-r', pcap, '--json', '-Y', 'status != OK'], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    assert.equal(y.status, 0, y.stderr);
    const errorCalls = y.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; frame: number }).filter((m) => m.type === 'call').map((m) => m.frame);
    assert.deepEqual(errorCalls, noent, "rpcsnoop -r -Y 'status != OK' finds the calls the TUI showed");

    t.diagnostic(`rows on screen after each step (ms): ${delays.join('; ')}`);
    t.diagnostic(`total: ${Date.now() - t0} ms`);
    ok = true;
  } finally {
    if (!ok) lab.failed = true;
  }
});
