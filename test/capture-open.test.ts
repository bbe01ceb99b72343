import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openCapture, openCaptureBytes, sniffFormat } from '../src/capture/open-capture';
import { CaptureError } from '../src/capture/raw-frame';
import { pattern } from './helpers/bytes';
import { drain, ngShb, pcapFile } from './helpers/capture-builders';
import { fixture } from './helpers/fixtures';
import { removeTempDir, tempDir, tempFile } from './helpers/synthetic-capture';
import { truthMismatches } from './helpers/tshark-tsv';

/** Every fixture capture with its packet count (MANIFEST-shared.md) and link type. */
const FIXTURES: [string, number, number][] = [
  ['nfs3_allprocs_tcp_lo.pcap', 130, 1],
  ['nfs3_browse_lo.pcap', 418, 1],
  ['nfs3_browse_lo_nsec.pcapng', 418, 1],
  ['nfs3_browse_lo_nsec_bigendian.pcap', 418, 1],
  ['nfs3_bulk_lo.pcap', 412, 1],
  ['nfs3_bulk_veth_mtu1500.pcap', 3912, 1],
  ['nfs3_ipv6_lo.pcap', 568, 1],
  ['nfs3_udp_ipfrag_veth.pcap', 144, 1],
  ['nfs3_udp_ipfrag_vlan100_veth.pcap', 144, 1],
  ['nfs3_udp_lo.pcap', 76, 1],
  ['nlm_rquota_other_programs_lo.pcap', 104, 1],
  ['rpc_errors_lo_nsec.pcap', 486, 1],
  ['rpc_tcp_record_marking_lo.pcap', 88, 1],
  ['rpc_veth_any_sll.pcap', 311, 113],
  ['rpcbind_all_procs_any_sll2.pcap', 153, 276],
  ['rpcbind_rpcinfo_lo.pcapng', 286, 1],
];

async function openError(path: string): Promise<CaptureError> {
  try {
    await openCapture(path);
  } catch (err) {
    if (err instanceof CaptureError) return err;
    throw err;
  }
  assert.fail(`${path} opened`);
}

/** Run `cat file | node -e <read stdin via openCapture>` and parse its one-line JSON report. */
function readViaStdin(file: string): Promise<Record<string, unknown>> {
  const modulePath = resolve(__dirname, '../src/capture/open-capture.js');
  const script = `
    const { openCapture } = require(${JSON.stringify(modulePath)});
    (async () => {
      const src = await openCapture('-');
      let frames = 0, last = null;
      for await (const f of src.frames()) { frames++; last = [f.frameNo, f.ts.sec, f.ts.nsec, f.capLen]; }
      console.log(JSON.stringify({ name: src.name, frames, last, bytes: src.bytesRead() }));
    })().catch((e) => console.log(JSON.stringify({ kind: e.kind, message: e.message })));`;
  const sh = `cat "$1" | "$2" -e "$3"`;
  return new Promise((done, fail) => {
    execFile('/bin/sh', ['-c', sh, 'sh', file, process.execPath, script], { timeout: 5000 }, (err, stdout) => {
      if (err) fail(err);
      else done(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

describe('openCapture', () => {
  after(removeTempDir);

  it('sniffs formats by their magic', () => {
    assert.equal(sniffFormat(Buffer.from('d4c3b2a1', 'hex')), 'pcap');
    assert.equal(sniffFormat(Buffer.from('a1b2c3d4', 'hex')), 'pcap');
    assert.equal(sniffFormat(Buffer.from('4d3cb2a1', 'hex')), 'pcap-nsec');
    assert.equal(sniffFormat(Buffer.from('a1b23c4d', 'hex')), 'pcap-nsec');
    assert.equal(sniffFormat(Buffer.from('0a0d0d0a', 'hex')), 'pcapng');
    assert.equal(sniffFormat(Buffer.from('34cdb2a1', 'hex')), 'pcap-modified');
    assert.equal(sniffFormat(Buffer.from('1f8b0800', 'hex')), undefined);
    assert.equal(sniffFormat(Buffer.from('d4c3', 'hex')), undefined);
  });

  for (const [name, count, linkType] of FIXTURES) {
    it(`reads ${name}: ${count} frames matching tshark, bytesRead = file size`, async () => {
      const path = fixture(name);
      const src = await openCapture(path);
      assert.equal(src.name, path);
      const { frames, error } = await drain(src.frames());
      assert.equal(error, undefined);
      assert.equal(frames.length, count);
      assert.equal(frames[0].linkType, linkType);
      assert.deepEqual(truthMismatches(name, frames), []);
      assert.equal(src.bytesRead(), statSync(path).size);
    });
  }

  it('decompresses gzip by content, whatever the file is called', async () => {
    for (const [name, count] of [
      ['nfs3_browse_lo.pcap', 418],
      ['rpc_errors_lo_nsec.pcap', 486],
      ['rpcbind_rpcinfo_lo.pcapng', 286],
    ] as const) {
      const gz = gzipSync(readFileSync(fixture(name)));
      const path = tempFile(`${name}.txt`, gz); // a misleading name on purpose
      const src = await openCapture(path);
      const { frames, error } = await drain(src.frames());
      assert.equal(error, undefined);
      assert.equal(frames.length, count);
      assert.deepEqual(truthMismatches(name, frames), []);
      assert.equal(src.bytesRead(), gz.length);
    }
  });

  it('reports a cut gzip file after the frames it could decompress, and corrupt gzip data', async () => {
    const gz = gzipSync(readFileSync(fixture('nfs3_browse_lo.pcap')));
    const cut = await drain((await openCapture(tempFile('cut.gz', gz.subarray(0, gz.length - 2000)))).frames());
    assert.ok(cut.frames.length > 100 && cut.frames.length < 418, `${cut.frames.length} frames`);
    assert.equal(cut.error?.kind, 'truncated');
    // A wrong CRC is only noticed at the end; Node's zlib drops the output of the call that fails the check,
    // so the last few frames (data the CRC disowns anyway) are not seen.
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 8] ^= 0xff;
    const crc = await drain((await openCapture(tempFile('crc.gz', badCrc))).frames());
    assert.ok(crc.frames.length > 300 && crc.frames.length <= 418, `${crc.frames.length} frames`);
    assert.equal(crc.error?.kind, 'damaged');
    assert.match(crc.error?.message ?? '', /crc\.gz: gzip data is corrupt \(incorrect data check\)$/);
    // Garbage in the deflate stream: zlib refuses it, or it inflates to records that make no sense.
    const garbage = Buffer.from(gz);
    garbage.fill(0x55, 3000, 3100);
    const bad = await drain((await openCapture(tempFile('garbage.gz', garbage))).frames());
    assert.equal(bad.error?.kind, 'damaged');
  });

  it('reports truncation inside a record of an uncompressed file', async () => {
    const file = readFileSync(fixture('rpcbind_rpcinfo_lo.pcapng'));
    const path = tempFile('cut.pcapng', file.subarray(0, 20000));
    const { frames, error } = await drain((await openCapture(path)).frames());
    assert.ok(frames.length > 0);
    assert.equal(error?.kind, 'truncated');
    assert.equal(error?.message, `${path}: file ends in the middle of frame ${frames.length + 1}`);
  });

  it('rejects files that are not captures with one-line messages', async () => {
    const text = tempFile('notes.pcap', 'hello, world\n');
    const e0 = await openError(text);
    assert.equal(e0.kind, 'not_a_capture');
    assert.equal(e0.message, `${text}: not a pcap or pcapng file (magic 0x68656c6c)`);
    const empty = tempFile('empty.pcap', '');
    const e1 = await openError(empty);
    assert.equal(e1.kind, 'not_a_capture');
    assert.equal(e1.message, `${empty}: empty file, not a pcap or pcapng file`);
    const tiny = tempFile('tiny.pcap', Buffer.from([0xd4, 0xc3]));
    assert.equal((await openError(tiny)).message, `${tiny}: not a pcap or pcapng file (only 2 bytes)`);
    const gzText = tempFile('text.gz', gzipSync('just text, compressed'));
    assert.equal((await openError(gzText)).message, `${gzText}: not a pcap or pcapng file (magic 0x6a757374 inside gzip)`);
    const modified = Buffer.concat([Buffer.from('34cdb2a1', 'hex'), Buffer.alloc(20)]);
    assert.equal((await openError(tempFile('kuznetzov.pcap', modified))).kind, 'unsupported');
  });

  it('reports missing and unreadable paths as io errors without a stack', async () => {
    const dir = tempDir();
    const missing = join(dir, 'does-not-exist.pcap');
    const e = await openError(missing);
    assert.equal(e.kind, 'io');
    assert.equal(e.message, `${missing}: No such file or directory`);
    const d = await openError(dir);
    assert.equal(d.kind, 'io');
    assert.equal(d.message, `${dir}: Is a directory`);
    assert.equal((await openError('bad\0name')).kind, 'io');
  });

  it('reads a file header that is cut short as truncated', async () => {
    const path = tempFile('short.pcap', pcapFile({}, []).subarray(0, 12));
    const { frames, error } = await drain((await openCapture(path)).frames());
    assert.equal(frames.length, 0);
    assert.equal(error?.kind, 'truncated');
    const ng = tempFile('short.pcapng', ngShb(true).subarray(0, 10));
    assert.equal((await drain((await openCapture(ng)).frames())).error?.kind, 'truncated');
  });

  it('lets frames() be iterated only once', async () => {
    const src = await openCapture(tempFile('one.pcap', pcapFile({}, [{ sec: 1, frac: 2, data: pattern(10) }])));
    assert.equal((await drain(src.frames())).frames.length, 1);
    assert.throws(() => src.frames(), /only once/);
  });

  it('stops reading when the consumer stops early', async () => {
    const src = await openCapture(fixture('nfs3_bulk_veth_mtu1500.pcap'));
    let n = 0;
    for await (const f of src.frames()) {
      assert.equal(f.frameNo, ++n);
      if (n === 5) break;
    }
    assert.ok(src.bytesRead() < statSync(fixture('nfs3_bulk_veth_mtu1500.pcap')).size);
  });

  describe('stdin ("-")', () => {
    it('reads a piped pcap', async () => {
      const r = await readViaStdin(fixture('nfs3_browse_lo.pcap'));
      assert.deepEqual(r, {
        name: '-',
        frames: 418,
        last: r.last,
        bytes: statSync(fixture('nfs3_browse_lo.pcap')).size,
      });
      assert.equal((r.last as number[])[0], 418);
    });

    it('reads piped gzip-compressed pcapng', async () => {
      const path = tempFile('piped.gz', gzipSync(readFileSync(fixture('rpcbind_rpcinfo_lo.pcapng'))));
      const r = await readViaStdin(path);
      assert.equal(r.frames, 286);
      assert.equal(r.bytes, statSync(path).size);
    });

    it('reports empty and cut input on stdin', async () => {
      assert.deepEqual(await readViaStdin(tempFile('nothing', '')), {
        kind: 'not_a_capture',
        message: 'stdin: empty file, not a pcap or pcapng file',
      });
      const file = readFileSync(fixture('rpc_errors_lo_nsec.pcap'));
      const r = await readViaStdin(tempFile('cut-stdin.pcap', file.subarray(0, file.length - 7)));
      assert.deepEqual(r, { kind: 'truncated', message: 'stdin: file ends in the middle of frame 486' });
    });
  });
});

describe('openCaptureBytes', () => {
  async function frameSummary(source: { frames(): AsyncIterable<{ frameNo: number; capLen: number; linkType: number }> }): Promise<string[]> {
    const out: string[] = [];
    for await (const f of source.frames()) out.push(`${f.frameNo}:${f.capLen}:${f.linkType}`);
    return out;
  }

  for (const name of ['nfs3_browse_lo.pcap', 'nfs3_browse_lo_nsec_bigendian.pcap', 'rpcbind_rpcinfo_lo.pcapng']) {
    it(`reads ${name} from memory exactly as from its file, gzipped too`, async () => {
      const bytes = readFileSync(fixture(name));
      const fromFile = await frameSummary(await openCapture(fixture(name)));
      assert.ok(fromFile.length > 0);
      const mem = await openCaptureBytes(bytes, 'mem');
      assert.equal(mem.name, 'mem');
      assert.deepEqual(await frameSummary(mem), fromFile);
      assert.equal(mem.bytesRead(), bytes.length);
      assert.deepEqual(await frameSummary(await openCaptureBytes(gzipSync(bytes))), fromFile);
    });
  }

  it('rejects what is not a capture, and a cut one ends in a CaptureError after its whole frames', async () => {
    await assert.rejects(openCaptureBytes(new Uint8Array(0), 'm'), (e) => e instanceof CaptureError && e.kind === 'not_a_capture' && /m: empty file/.test(e.message));
    await assert.rejects(openCaptureBytes(Buffer.from('hello world')), (e) => e instanceof CaptureError && e.kind === 'not_a_capture');
    const bytes = readFileSync(fixture('nfs3_browse_lo.pcap'));
    const frames: number[] = [];
    await assert.rejects(async () => {
      for await (const f of (await openCaptureBytes(bytes.subarray(0, 1000))).frames()) frames.push(f.frameNo);
    }, (e) => e instanceof CaptureError && e.kind === 'truncated');
    assert.ok(frames.length > 0);
  });
});
