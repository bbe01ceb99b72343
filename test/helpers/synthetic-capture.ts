/**
 * Glue for tests that build whole capture files: thin wrappers over capture-builders.ts (pcapFile) and
 * net-builders.ts (ethernet, ipv4, udp, tcp), plus a private temporary directory for the files. No writer of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile, type PcapHeaderSpec, type PcapRecordSpec } from './capture-builders';
import { ethernet, ipv4, tcp, udp } from './net-builders';

export interface SyntheticPcapOptions extends Omit<PcapHeaderSpec, 'linkType'> {
  /** Time of the first frame, epoch seconds (default 1 700 000 000). */
  startSec?: number;
  /** Time between frames in the file's fraction units (µs, or ns with `nanosecond`; default 1000). */
  step?: number;
}

/** A classic pcap holding `frames`, one record each, at evenly spaced times. */
export function pcapBytes(frames: Uint8Array[], linkType = 1, opts: SyntheticPcapOptions = {}): Buffer {
  const perSec = opts.nanosecond ? 1e9 : 1e6;
  const step = opts.step ?? 1000;
  const start = opts.startSec ?? 1_700_000_000;
  const records: PcapRecordSpec[] = frames.map((data, i) => {
    const t = i * step;
    return { sec: start + Math.floor(t / perSec), frac: t % perSec, data };
  });
  return pcapFile({ ...opts, linkType }, records);
}

let dir: string | null = null;

/** The test process's own temporary directory (created on first use). */
export function tempDir(): string {
  if (dir === null) dir = mkdtempSync(join(tmpdir(), 'rpcsnoop-test-'));
  return dir;
}

/** Writes `bytes` as `name` in tempDir() and returns the path. */
export function tempFile(name: string, bytes: Uint8Array | string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, bytes);
  return path;
}

/** writePcap: pcapBytes() written to a temporary file; returns its path. */
export function writePcap(frames: Uint8Array[], linkType = 1, opts: SyntheticPcapOptions & { name?: string } = {}): string {
  const { name, ...rest } = opts;
  return tempFile(name ?? `synthetic-${Date.now()}-${Math.floor(Math.random() * 1e9)}.pcap`, pcapBytes(frames, linkType, rest));
}

/** Removes tempDir() and everything in it (call from an after() hook). */
export function removeTempDir(): void {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
}

export interface Endpoints {
  src?: string;
  dst?: string;
  sport: number;
  dport: number;
}

/** Ethernet / IPv4 / UDP frame carrying `payload`. */
export function udpFrame(e: Endpoints, payload: Uint8Array): Uint8Array {
  return ethernet(ipv4(udp(payload, { sport: e.sport, dport: e.dport }), { src: e.src, dst: e.dst, protocol: 17 }));
}

/** Ethernet / IPv4 / TCP segment carrying `payload` (flags default PSH|ACK). */
export function tcpFrame(
  e: Endpoints & { seq: number; ack?: number; flags?: number },
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const segment = tcp(payload, { sport: e.sport, dport: e.dport, seq: e.seq >>> 0, ack: (e.ack ?? 0) >>> 0, flags: e.flags ?? 0x18 });
  return ethernet(ipv4(segment, { src: e.src, dst: e.dst, protocol: 6 }));
}
