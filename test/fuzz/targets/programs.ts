/**
 * Fuzz target (f): every decoded program's arguments and results — PORTMAP v2, RPCBIND v3/v4 (CALLIT, BCAST and
 * INDIRECT decode an inner call through the registry), MOUNT v1-3 and NFSv3 — through the pipeline as a UDP call
 * and its successful reply (so results are read with their call's arguments, the way registry.ts readResult gets
 * them, and learning runs), printed in every output mode.
 *
 * Input: header, then the call's body, then the reply's body (both XDR, after a well-formed RPC header built here):
 *   h0  program (index into PROGRAMS)        h1  version (index into the program's versions)
 *   h2  procedure number                     h3  bit 0: a reply follows; bit 1 / bit 2: the snaplen cut the call /
 *                                                the reply (the body may then be read partially)
 *   h4 h5  length of the call's body (big-endian; cut to what is there)
 * encodeProgramInput() writes the same layout, for the seeds carved from the fixtures.
 */
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline } from '../../../src/pipeline';
import { MOUNT_PROGRAM } from '../../../src/programs/mount';
import { NFS_PROGRAM } from '../../../src/programs/nfs3/nfs-program';
import { PORTMAP_PROGRAM } from '../../../src/programs/portmap-program';
import type { ProgramDef } from '../../../src/rpc/registry';
import { frameOf, udpPacket } from '../frame-builder';
import { allPrinters } from './printers';

export const PROGRAM_HEADER = 6;
export const PROGRAMS: readonly ProgramDef[] = [PORTMAP_PROGRAM, MOUNT_PROGRAM, NFS_PROGRAM];
const XID = 0x1234;
const PORTS: Readonly<Record<number, number>> = { 100000: 111, 100005: 20048, 100003: 2049 };

function versionsOf(def: ProgramDef): number[] {
  return Object.keys(def.versions).map(Number);
}

/** The input that makes fuzz() send a call of prog/vers/proc with `callBody`, and a reply with `replyBody`. */
export function encodeProgramInput(prog: number, vers: number, proc: number, callBody: Uint8Array, replyBody: Uint8Array | null): Buffer | null {
  const p = PROGRAMS.findIndex((d) => d.prog === prog);
  if (p < 0) return null;
  const v = versionsOf(PROGRAMS[p]).indexOf(vers);
  if (v < 0 || proc > 255 || callBody.length > 0xffff) return null;
  const h = Buffer.from([p, v, proc, replyBody ? 1 : 0, callBody.length >> 8, callBody.length & 0xff]);
  return Buffer.concat([h, callBody, replyBody ?? Buffer.alloc(0)]);
}

function callHeader(prog: number, vers: number, proc: number): Buffer {
  // xid, CALL, rpcvers 2, prog, vers, proc, cred AUTH_NONE (flavor, length), verf AUTH_NONE (RFC 5531 §9)
  const b = Buffer.alloc(40);
  [XID, 0, 2, prog, vers, proc, 0, 0, 0, 0].forEach((w, i) => b.writeUInt32BE(w >>> 0, i * 4));
  return b;
}

function replyHeader(): Buffer {
  // xid, REPLY, MSG_ACCEPTED, verf AUTH_NONE, SUCCESS
  const b = Buffer.alloc(24);
  [XID, 1, 0, 0, 0, 0].forEach((w, i) => b.writeUInt32BE(w, i * 4));
  return b;
}

export function fuzz(data: Buffer): void {
  if (data.length < PROGRAM_HEADER) return;
  const def = PROGRAMS[data[0] % PROGRAMS.length];
  const versions = versionsOf(def);
  const vers = versions[data[1] % versions.length];
  const proc = data[2];
  const flags = data[3];
  const callLen = Math.min(data.readUInt16BE(4), data.length - PROGRAM_HEADER);
  const callBody = data.subarray(PROGRAM_HEADER, PROGRAM_HEADER + callLen);
  const replyBody = data.subarray(PROGRAM_HEADER + callLen);

  const registry = defaultRegistry();
  let printers: ReturnType<typeof allPrinters> = [];
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, hold: false }, (ev) => {
    for (const p of printers) p.lines(ev);
  }, registry);
  printers = allPrinters(registry, pipeline.names);
  const serverPort = PORTS[def.prog] ?? 2049;
  const call = udpPacket({ toServer: true, serverPort }, Buffer.concat([callHeader(def.prog, vers, proc), callBody]));
  pipeline.pushFrame(frameOf(call, 1, { sec: 1_700_000_000, nsec: 0 }, flags & 2 ? callBody.length >> 1 : 0));
  if (flags & 1) {
    const reply = udpPacket({ toServer: false, serverPort }, Buffer.concat([replyHeader(), replyBody]));
    pipeline.pushFrame(frameOf(reply, 2, { sec: 1_700_000_000, nsec: 500_000 }, flags & 4 ? replyBody.length >> 1 : 0));
  }
  pipeline.finish();
}
