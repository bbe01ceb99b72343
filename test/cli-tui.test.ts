/**
 * `--tui` on the command line: mistakes are one line and exit 2 (before any terminal is touched), and without a
 * terminal it says so instead of drawing into a pipe.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN, fixture } from './helpers/fixtures';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, stdio: ['pipe', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MOUNT = fixture('lab_mount_sequence_lo.pcap');

test('--tui mistakes: one line, exit 2, nothing on stdout', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--tui', '-r', MOUNT, '--json'], /--tui .* does not combine with --json/],
    [['--tui', '-r', MOUNT, '--stats'], /does not combine/],
    [['--tui', '-r', '-'], /--tui needs the terminal for keys/],
    [['-r', MOUNT, '--rows', '10'], /--rows applies to --tui/],
    [['--tui', '-r', MOUNT, '--rows', '0'], /--rows must be at least 1/],
    [['--tui', '-r', MOUNT, '--rows', 'many'], /--rows needs a whole number/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('--tui without a terminal: one line, exit 2, no escape sequences written', () => {
  const r = run(['--tui', '-r', MOUNT]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'rpcsnoop: --tui needs a terminal on standard input and output\n');
});
