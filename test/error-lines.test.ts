/**
 * Errors are visible on the summary line and in JSON: NFS3ERR_* and MNT3ERR_* as snoop's words and RFC status
 * names, RPC-level errors (PROG_UNAVAIL, PROG_MISMATCH with its range, PROC_UNAVAIL, GARBAGE_ARGS, AUTH_ERROR with
 * its reason, RPC_MISMATCH) on the RPC line, naming the call that failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, fixture } from './helpers/fixtures';
import { runJson } from './helpers/conformance';
import { Pipeline, DEFAULT_PIPELINE } from '../src/pipeline';
import { isRpcEvent, type RpcEvent } from '../src/rpc/rpc-event';
import { rpcLine } from '../src/format/rpc-line';
import { frame, ethernet, ipv4, udp } from './helpers/net-builders';
import { buildCall, buildDeniedReply } from './helpers/rpc-builders';

const ERRORS = fixture('rpc_errors_lo_nsec.pcap');

function summaryLines(): string[] {
  const r = spawnSync(process.execPath, [BIN, '-r', ERRORS], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.replace(/^.*?-> \S+ +/, ''));
}

test('NFS and MOUNT errors: snoop status words on the summary line, RFC names in JSON', () => {
  const lines = summaryLines();
  for (const want of [
    'NFS R LOOKUP3 No such file or directory',
    'NFS R LOOKUP3 Permission denied',
    'NFS R LOOKUP3 Not a directory',
    'NFS R LOOKUP3 File name too long',
    'NFS R READ3 Is a directory',
    'NFS R MKDIR3 File exists',
    'NFS R RMDIR3 Directory not empty',
    'NFS R GETATTR3 Illegal NFS file handle',
    'NFS R SETATTR3 Update synch mismatch',
    'NFS R SETATTR3 Not owner',
    'NFS R READLINK3 Invalid argument',
    'MOUNT3 R Mount Permission denied',
  ]) {
    assert.ok(lines.includes(want), `missing: ${want}`);
  }
  const statuses = new Set(runJson(ERRORS).messages.map((m) => m.status as string | undefined));
  for (const s of ['NFS3ERR_NOENT', 'NFS3ERR_ACCES', 'NFS3ERR_NOTDIR', 'NFS3ERR_ISDIR', 'NFS3ERR_EXIST', 'NFS3ERR_NOTEMPTY', 'NFS3ERR_NAMETOOLONG', 'NFS3ERR_BADHANDLE', 'NFS3ERR_NOT_SYNC', 'NFS3ERR_INVAL', 'NFS3ERR_PERM', 'MNT3ERR_ACCES', 'MNT3_OK', 'NFS3_OK']) {
    assert.ok(statuses.has(s), `no message with status ${s}`);
  }
});

test('RPC errors name what failed: PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS, AUTH_ERROR', () => {
  const lines = summaryLines();
  const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `no line like ${re}`);
  has(/^RPC R \(#\d+\) XID=\d+ Program unavailable \[AUTOFS V1 proc-0\]$/);
  has(/^RPC R \(#\d+\) XID=\d+ Program number mismatch \(low=3, high=3\) \[NFS V4 NULL\]$/);
  has(/^RPC R \(#\d+\) XID=\d+ Procedure unavailable \[NFS V3 proc-99\]$/);
  has(/^RPC R \(#\d+\) XID=\d+ Garbage arguments \[MOUNT V3 MNT\]$/);
  has(/^RPC R \(#\d+\) XID=\d+ Can't authenticate \(client should begin new session\) \[NFS V3 GETATTR\]$/);
  const json = runJson(ERRORS).messages;
  const denied = json.find((m) => m.replyStat === 'MSG_DENIED');
  assert.equal(denied?.rejectStat, 'AUTH_ERROR');
  assert.ok(['AUTH_REJECTEDCRED', 'AUTH_BADCRED', 'RPCSEC_GSS_CREDPROBLEM'].includes(denied?.authStat as string));
  assert.ok(json.some((m) => m.acceptStat === 'PROG_MISMATCH' && (m.mismatch as { low: number }).low === 3));
});

test('RPC_MISMATCH (MSG_DENIED) shows the supported range', () => {
  const events: RpcEvent[] = [];
  const p = new Pipeline(DEFAULT_PIPELINE, (e) => {
    if (isRpcEvent(e)) events.push(e);
  });
  const f = (payload: Uint8Array, sport: number, dport: number, src: string, dst: string, n: number) =>
    frame(ethernet(ipv4(udp(payload, { sport, dport }), { src, dst, protocol: 17 })), 1, { frameNo: n });
  p.pushFrame(f(buildCall({ xid: 5, prog: 100003, vers: 3, proc: 0 }), 800, 2049, '10.0.0.1', '10.0.0.2', 1));
  p.pushFrame(f(buildDeniedReply({ xid: 5, rpcMismatch: { low: 2, high: 2 } }), 2049, 800, '10.0.0.2', '10.0.0.1', 2));
  p.finish();
  assert.equal(rpcLine(events[1]), 'RPC R (#1) XID=5 Vers mismatch (low=2, high=2) [NFS V3 NULL]');
});
