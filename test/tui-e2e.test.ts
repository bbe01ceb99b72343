/**
 * The TUI end to end, in a real terminal (tmux): `rpcsnoop --tui -r FILE` is started in a detached tmux session,
 * keys are sent as a user types them and the screen is read back. Checks the acceptance path on the mount
 * fixture (rows, the MNT reply's handle and path in the detail, `status != OK`, the statistics and ladder views,
 * `q` restoring the terminal) and the terminal manners: 80×24 and resizing, colour and NO_COLOR, Ctrl-C, SIGTERM,
 * an uncaught error, hostile strings from the wire.
 *
 * Needs tmux: skipped with the reason without it, a failure under CI=true (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { BIN, fixture } from './helpers/fixtures';
import { buildCall, XdrWriter } from './helpers/rpc-builders';
import { removeTempDir, tempFile, udpFrame, writePcap } from './helpers/synthetic-capture';
import { TmuxSession, tmuxMissing } from './helpers/tmux';

after(removeTempDir);

const CI = process.env.CI === 'true';
const missing = tmuxMissing();
const sessions: TmuxSession[] = [];
after(() => sessions.forEach((s) => s.kill()));

function skip(t: TestContext): boolean {
  if (missing === null) return false;
  if (CI) assert.fail(`under CI=true: ${missing}`);
  t.skip(missing);
  return true;
}

function tui(args: string[], opts: { cols?: number; rows?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): TmuxSession {
  const s = new TmuxSession([process.execPath, ...(opts.nodeArgs ?? []), BIN, '--tui', ...args], { cols: opts.cols, rows: opts.rows, env: opts.env });
  sessions.push(s);
  return s;
}

const MOUNT = fixture('lab_mount_sequence_lo.pcap');
const DONE = /^done \| /m;

/** The list's rows on a screen: lines starting with a frame number. */
function rowLines(screen: string): string[] {
  return screen.split('\n').filter((l) => /^\s*\d+ +\d+\.\d+ /.test(l));
}

/** The rpcsnoop process of a session: the pane's shell's child. */
function tuiPid(s: TmuxSession): number {
  const out = execFileSync('pgrep', ['-P', s.format('#{pane_pid}'), '-f', 'rpcsnoop'], { encoding: 'utf8' });
  return Number(out.trim().split('\n')[0]);
}

/** The terminal is back to normal: main screen, cursor shown, mouse reporting off, the shell's EXIT line. */
async function assertRestored(s: TmuxSession, exit: number): Promise<void> {
  await s.waitFor(new RegExp(`^EXIT=${exit}$`, 'm'), `EXIT=${exit}`);
  assert.equal(s.format('#{alternate_on}'), '0', 'left the alternate screen');
  assert.equal(s.format('#{cursor_flag}'), '1', 'cursor visible');
  assert.equal(s.format('#{mouse_any_flag}'), '0', 'mouse reporting off');
}

describe('TUI in a terminal (tmux)', { concurrency: true }, () => {
  it('mount fixture: rows, the MNT reply with its handle and path, status != OK, stats and ladder views, q restores', async (t) => {
    if (skip(t)) return;
    const s = tui(['-r', MOUNT], { cols: 120, rows: 40 });
    let screen = await s.waitFor(DONE, 'the file read to its end');
    const rows = rowLines(screen);
    assert.deepEqual(
      rows.slice(0, 4).map((l) => l.trim().split(/\s+/)[0]),
      ['1', '3', '5', '7'],
      screen,
    );
    assert.match(rows[0], /PORTMAP2 GETPORT .*OK/);
    assert.match(screen, /messages 32 \| pairs 16 \| unanswered 0 \| errors 0/);

    // the MNT row (frame 5), then its reply in the detail (c), down to the handle line
    s.keys(['j', 'j']);
    screen = await s.waitFor(/Call, frame 5: MOUNT3 C Mount/, 'the MNT call in the detail');
    s.keys(['c']);
    screen = await s.waitFor(/Reply, frame 6: MOUNT3 R Mount OK FH=412E/, 'the MNT reply in the detail');
    for (let i = 0; i < 40 && !/File handle = \[412E\]/.test(screen); i++) {
      s.keys(['j']);
      screen = s.screen();
    }
    assert.match(screen, /File handle = \[412E\] \(127\.0\.0\.1:\/tmp\/rpcsnoop-mountseq-xvn3LZ\/export\)/);
    // the hex pane shows the reply record with the handle line's bytes marked
    assert.match(screen, /Hex: Reply record, frame 6: 64 bytes, bytes \d+-\d+ marked/);

    // display filter: nothing in this capture is an error
    s.keys(['Tab', 'Tab', 'f']);
    await s.waitFor(/^Filter:\s*$/m, 'the filter prompt');
    s.keys(['status != OK'], true);
    s.keys(['Enter']);
    screen = await s.waitFor(/filter: status != OK \(0 shown\)/, 'the filter applied');
    assert.match(screen, /\(no row matches the filter\)/);
    assert.equal(rowLines(screen).length, 0);
    // cleared: every row again
    s.keys(['f', 'C-u', 'Enter']);
    screen = await s.waitFor((x) => !/filter:/.test(x) && rowLines(x).length === 16, 'the filter cleared');

    s.keys(['s']);
    screen = await s.waitFor(/^Statistics /m, 'the statistics view');
    // the --stats table: MNT called twice, answered twice, no error
    assert.match(screen, /^MOUNT\s+3\s+(1\s+)?MNT\s+2\s+2\s+0\s+0\s+0\s/m, screen);
    s.keys(['Escape']);
    await s.waitFor(/^Filter: \(none\)/m, 'back to the list');
    s.keys(['l']);
    screen = await s.waitFor(/^Ladder/m, 'the ladder view');
    // the selected MNT transaction's arrows (marked >) and the --explain sentence of its step
    assert.match(screen, /^>[\d.]+\s+\|-+>\|\s+\|\s+MNT /m, screen);
    assert.match(screen, /^>[\d.]+\s+\|<-+\|\s+\|\s+MNT3_OK FH=412E/m, screen);
    assert.match(screen, /step 3: MNT is the mount itself/, screen);
    // (Escape and q sent together read as Meta-q, as in any terminal program)
    s.keys(['Escape']);
    await s.waitFor(/^Filter: \(none\)/m, 'back to the list');
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('status != OK on a capture with errors shows exactly the error rows', async (t) => {
    if (skip(t)) return;
    const s = tui(['-r', fixture('nfs3_allprocs_tcp_lo.pcap')], { cols: 120, rows: 40 });
    await s.waitFor(DONE, 'the file read');
    s.keys(['f']);
    s.keys(['status != OK'], true);
    s.keys(['Enter']);
    const screen = await s.waitFor(/filter: status != OK \(\d+ shown\)/, 'the filter applied');
    // the same transactions as the command line's -Y (its call lines), none of them OK
    const cli = spawnSync(process.execPath, [BIN, '-r', fixture('nfs3_allprocs_tcp_lo.pcap'), '-Y', 'status != OK'], { encoding: 'utf8' });
    const calls = cli.stdout.split('\n').filter((l) => / C /.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    const rows = rowLines(screen);
    assert.deepEqual(rows.map((r) => r.trim().split(/\s+/)[0]), calls, screen);
    assert.ok(rows.length >= 1, screen);
    for (const r of rows) assert.doesNotMatch(r, /\s(OK|NFS3_OK|MNT3_OK)\s/, r);
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('a filter with a mistake shows a caret under it and keeps the prompt open; Esc cancels', async (t) => {
    if (skip(t)) return;
    const s = tui(['-r', MOUNT]);
    await s.waitFor(DONE, 'the file read');
    s.keys(['f']);
    s.keys(['proc == LOOKUP and'], true);
    s.keys(['Enter']);
    const screen = await s.waitFor(/^\s+\^ /m, 'a caret line');
    assert.match(screen, /^Filter: proc == LOOKUP and/m);
    s.keys(['Escape']);
    await s.waitFor(/^Filter: \(none\)/m, 'the prompt closed, no filter');
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('80×24: every line fits, the panes are there; a resize re-lays the screen', async (t) => {
    if (skip(t)) return;
    const s = tui(['-r', MOUNT], { cols: 80, rows: 24 });
    let screen = await s.waitFor(DONE, 'the file read');
    const lines = screen.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 24);
    for (const l of lines) assert.ok(l.length <= 80, l);
    assert.match(screen, /^\s+No\.\s+Time\s+Client/m);
    assert.match(screen, /^-- Detail/m);
    assert.match(screen, /^-- Hex/m);
    s.resize(132, 40);
    screen = await s.waitFor((x) => /^-- Detail -{100,}/m.test(x), 'the wider layout');
    assert.equal(rowLines(screen).length, 16, 'more rows fit: all 16 shown');
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('errors are coloured; NO_COLOR leaves colour out but keeps the selection visible', async (t) => {
    if (skip(t)) return;
    const file = fixture('rpc_errors_lo_nsec.pcap');
    const coloured = tui(['-r', file], { cols: 120, rows: 30 });
    const mono = tui(['-r', file], { cols: 120, rows: 30, env: { NO_COLOR: '1' } });
    await coloured.waitFor(DONE, 'the file read');
    await mono.waitFor(DONE, 'the file read');
    const a = coloured.screen(true);
    const b = mono.screen(true);
    // SGR 31 (red) on the rows of error replies; reverse video on the selected row either way
    assert.match(a, /\x1b\[31m\s+\d+ /, 'an error row in red');
    assert.doesNotMatch(b, /\x1b\[3[0-7](;\d+)*m/, 'no foreground colour with NO_COLOR');
    assert.match(b, /\x1b\[7m/, 'the selection in reverse video');
    coloured.keys(['q']);
    mono.keys(['q']);
    await assertRestored(coloured, 0);
    await assertRestored(mono, 0);
  });

  it('Ctrl-C quits and restores; SIGTERM restores and exits 130', async (t) => {
    if (skip(t)) return;
    const a = tui(['-r', MOUNT]);
    const b = tui(['-r', MOUNT]);
    await a.waitFor(DONE, 'the file read');
    await b.waitFor(DONE, 'the file read');
    a.keys(['C-c']);
    await assertRestored(a, 0);
    process.kill(tuiPid(b), 'SIGTERM');
    await assertRestored(b, 130);
  });

  it('an uncaught error restores the terminal first, then says what happened (exit 70)', async (t) => {
    if (skip(t)) return;
    const boom = join(__dirname, 'helpers', 'throw-later.js');
    const s = tui(['-r', MOUNT], { nodeArgs: ['-r', boom] });
    await s.waitFor(DONE, 'the file read');
    process.kill(tuiPid(s), 'SIGUSR2');
    await assertRestored(s, 70);
    assert.match(s.screen(), /^rpcsnoop: internal error: thrown later by the test$/m);
  });

  it('mouse: a click selects a row, the wheel moves the selection (SGR mouse reports, as a terminal sends them)', async (t) => {
    if (skip(t)) return;
    const s = tui(['-r', MOUNT], { cols: 100, rows: 30 });
    await s.waitFor(DONE, 'the file read');
    // button 1 pressed and released at column 10 of screen line 5 (1-based): the list's third row, frame 5
    s.keys(['\x1b[<0;10;5M\x1b[<0;10;5m'], true);
    await s.waitFor(/^\[-\] Call, frame 5: MOUNT3 C Mount/m, 'the clicked row in the detail');
    s.keys(['\x1b[<65;10;5M'], true); // wheel down over the list
    await s.waitFor(/^\[-\] Call, frame 7: PORTMAP C GETPORT/m, 'the next row after the wheel');
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('a damaged file: the rows before the damage, and the status bar says what happened', async (t) => {
    if (skip(t)) return;
    const cut = tempFile('cut.pcap', readFileSync(fixture('nfs3_browse_lo.pcap')).subarray(0, 40_000));
    const s = tui(['-r', cut], { cols: 200, rows: 24 });
    let screen = await s.waitFor(/done \(input damaged\) \| cut\.pcap \| frames 199 /, 'the damage reported');
    assert.ok(rowLines(screen).length > 5, screen);
    assert.match(screen, /cut\.pcap: file ends in the middle of frame 200/);
    // the notice goes with the next key; the status bar keeps saying it
    s.keys(['j']);
    screen = await s.waitFor(/^done \(input damaged\) \| cut\.pcap/m, 'the damage still in the status bar');
    s.keys(['q']);
    await assertRestored(s, 0);
  });

  it('control characters from the wire are shown escaped, never sent to the terminal', async (t) => {
    if (skip(t)) return;
    // an NFS LOOKUP whose name clears the screen and rings the bell
    const args = new XdrWriter().opaque(new Uint8Array(8).fill(1)).string('evil\x1b[2J\x07name').bytes();
    const call = buildCall({ xid: 0x1234, prog: 100003, vers: 3, proc: 3, body: args });
    const file = writePcap([udpFrame({ src: '10.0.0.2', dst: '10.0.0.1', sport: 800, dport: 2049 }, call)], 1, { name: 'evil.pcap' });
    const s = tui(['-r', file], { cols: 120, rows: 30 });
    const screen = await s.waitFor(DONE, 'the file read');
    assert.match(screen, /evil\\x1b\[2J\\x07name/);
    assert.equal(s.format('#{alternate_on}'), '1', 'still on the TUI screen (nothing cleared or switched it)');
    s.keys(['q']);
    await assertRestored(s, 0);
  });
});
