/**
 * Captures taken with a small snaplen (tcpdump -s 200): every RPC message whose header was captured is still
 * found and paired; messages cut short are marked truncated and reported at the frame where their record began.
 */
import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { pcapFile, type PcapRecordSpec } from './helpers/capture-builders';
import { readFrames } from './helpers/capture-packets';
import { runJson, type JsonMessage } from './helpers/conformance';
import { BIN, fixture } from './helpers/fixtures';
import { removeTempDir, tempFile } from './helpers/synthetic-capture';

after(removeTempDir);

async function withSnaplen(name: string, snaplen: number): Promise<string> {
  const records: PcapRecordSpec[] = (await readFrames(fixture(name))).map((f) => ({
    sec: f.ts.sec,
    frac: Math.floor(f.ts.nsec / 1000),
    data: f.bytes.subarray(0, snaplen),
    origLen: f.origLen,
  }));
  return tempFile(`${name}.s${snaplen}.pcap`, pcapFile({ snaplen }, records));
}

const key = (m: JsonMessage) => `${m.type}|${m.xid}`;

for (const name of ['nfs3_bulk_lo.pcap', 'nfs3_browse_lo.pcap', 'nfs3_udp_lo.pcap']) {
  test(`snaplen 200: ${name} keeps every message and its pairing`, async () => {
    const full = runJson(fixture(name)).messages;
    const cut = runJson(await withSnaplen(name, 200));
    assert.equal(cut.status, 0, cut.stderr);
    assert.deepEqual(cut.messages.map(key).sort(), full.map(key).sort());
    const byKey = new Map(full.map((m) => [key(m), m]));
    let truncated = 0;
    for (const m of cut.messages) {
      const whole = byKey.get(key(m)) as JsonMessage;
      assert.equal(m.procedure, whole.procedure);
      assert.equal(m.acceptStat, whole.acceptStat);
      if (m.truncated) {
        truncated++;
        assert.equal(m.frame, (whole.frames as number[])[0], 'a cut message is reported where its record began');
      } else {
        assert.equal(m.frame, whole.frame);
      }
    }
    assert.ok(truncated > 0, 'some messages were longer than the snaplen');
    assert.match(cut.stderr, /record_truncated=\d+/);
  });
}

test('snaplen 200 and 120: every output mode decodes what was captured and never fails', async () => {
  for (const snaplen of [200, 120]) {
    for (const name of ['nfs3_allprocs_tcp_lo.pcap', 'nfs3_udp_ipfrag_veth.pcap']) {
      const file = await withSnaplen(name, snaplen);
      for (const mode of [[], ['-V'], ['-v'], ['--json'], ['-a']]) {
        const r = spawnSync(process.execPath, [BIN, '-r', file, ...mode], { encoding: 'utf8', maxBuffer: 64 << 20 });
        assert.equal(r.status, 0, `${name} -s ${snaplen} ${mode.join(' ')}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error/);
      }
      const json = runJson(file).messages;
      const cut = json.filter((m) => m.truncated);
      // a message cut short still says what it is, and its summary says it was cut
      for (const m of cut) {
        assert.ok(typeof m.summary === 'string' && (m.summary as string).endsWith('(truncated)'), `${String(m.summary)}`);
      }
      // READ replies cut by the snaplen keep their status and count: the data is what was cut
      const reads = json.filter((m) => m.type === 'reply' && m.procedureName === 'READ' && m.result !== undefined);
      for (const m of reads) assert.equal(m.status, 'NFS3_OK');
    }
  }
});

test('snaplen 200: an NFSv3 reply cut short still shows its status on the summary line, and -v says it was cut', async () => {
  const file = await withSnaplen('nfs3_allprocs_tcp_lo.pcap', 200);
  const r = spawnSync(process.execPath, [BIN, '-r', file], { encoding: 'utf8' });
  assert.match(r.stdout, /NFS R FSINFO3 OK \(truncated\)\n/);
  assert.match(r.stdout, /NFS R PATHCONF3 OK \(truncated\)\n/);
  const v = spawnSync(process.execPath, [BIN, '-r', file, '-v'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.match(v.stdout, /NFS: {2}Proc = 19 \(Get filesystem information\)\nNFS: {2}Status = 0 \(OK\)\nNFS: {2}\(truncated: the rest was not captured\)\n/);
  const partial = runJson(file).messages.filter((m) => (m.result as { partial?: boolean } | undefined)?.partial === true);
  assert.ok(partial.length > 0);
  for (const m of partial) {
    assert.equal(m.truncated, true);
    assert.equal(typeof m.status, 'string');
    assert.ok((m.anomalies as string[]).includes('body_truncated'));
  }
});
