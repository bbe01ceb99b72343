/**
 * The fuzz targets and the libFuzzer limits each runs with. A target module (targets/NAME.ts) exports
 * fuzz(data: Buffer); `sync` targets return nothing, the others a promise (the capture readers are async).
 * timeoutSec: one input running longer is a hang; maxLen: the largest input tried (bigger captures add little
 * coverage and cost executions); rssLimitMb: the process growing beyond it is excess memory.
 */
export type TargetName = 'pcap-classic' | 'pcapng' | 'packet' | 'reassembly' | 'rpc-header' | 'programs' | 'capture';

export interface TargetSpec {
  name: TargetName;
  sync: boolean;
  maxLen: number;
  timeoutSec: number;
  rssLimitMb: number;
  /** What the target covers, for --list. */
  about: string;
}

export const TARGETS: readonly TargetSpec[] = [
  { name: 'pcap-classic', sync: false, maxLen: 65536, timeoutSec: 10, rssLimitMb: 2048, about: 'classic pcap, µs (pcap-parser) and ns, both byte orders' },
  { name: 'pcapng', sync: false, maxLen: 65536, timeoutSec: 10, rssLimitMb: 2048, about: 'pcapng sections, interfaces, EPB/OPB/SPB, skipped blocks' },
  { name: 'packet', sync: true, maxLen: 16384, timeoutSec: 10, rssLimitMb: 2048, about: 'one frame: every link type, IPv4/IPv6, UDP/TCP, -V/-v layer lines' },
  { name: 'reassembly', sync: true, maxLen: 65536, timeoutSec: 10, rssLimitMb: 2048, about: 'IP defragmentation, TCP reassembly, record marking, into RPC' },
  { name: 'rpc-header', sync: true, maxLen: 8192, timeoutSec: 10, rssLimitMb: 2048, about: 'RPC call/reply headers and auth, pairing, every printer' },
  { name: 'programs', sync: true, maxLen: 16384, timeoutSec: 10, rssLimitMb: 2048, about: 'PORTMAP/RPCBIND (CALLIT, INDIRECT), MOUNT, NFSv3 args and results' },
  { name: 'capture', sync: false, maxLen: 65536, timeoutSec: 20, rssLimitMb: 2048, about: 'whole capture in every CLI mode, -Y filters, reports, TUI model' },
];

export function targetSpec(name: string): TargetSpec | undefined {
  return TARGETS.find((t) => t.name === name);
}
