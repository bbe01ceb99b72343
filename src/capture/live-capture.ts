/**
 * Live capture through the npm package `cap` (libpcap): the same PacketSource as capture files, so live frames go
 * through exactly the same pipeline. `cap` copies each packet into one reused buffer and emits 'packet' with its
 * length, so every frame is copied out at once (the buffer is overwritten by the next packet) and stamped by a
 * LiveClock (cap passes no timestamps). Frames wait in a bounded queue for the consumer; past the bound they are
 * dropped and counted, never buffered without limit.
 *
 * Limits of `cap` 0.2: libpcap's snaplen is fixed at 65535, so loopback frames of a 65536-byte MTU are cut by
 * libpcap itself; rpcsnoop notices from the IP length (the frame is marked truncated, its original length restored)
 * and the TCP reassembly reports the lost bytes.
 */
import { existsSync } from 'node:fs';
import { LiveClock } from './live-clock';
import type { PacketSource, RawFrame } from './raw-frame';

/** The part of `cap` rpcsnoop uses (the package ships no types). */
export interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): CapDevice[];
  };
}

export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', cb: (nbytes: number, truncated: boolean) => void): void;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: Array<{ addr: string; netmask?: string }>;
  flags?: string;
}

export interface LiveOptions {
  device: string;
  /** A libpcap filter expression ("" for none). */
  filter: string;
  /** Bytes kept of each frame (at most 65535: cap's libpcap snaplen). */
  snaplen: number;
  /** libpcap's kernel buffer (bytes). */
  bufferSize: number;
  /** Frames that may wait for the consumer before new ones are dropped. */
  maxQueue: number;
}

/** Longest stretch of decoding before cap gets to read the kernel ring again. */
const SLICE_MS = 2;

/** bufferSize: cap opens libpcap with snaplen 65535 and immediate mode (TPACKET_V2, one ~64 KiB slot per frame,
 *  and on lo each packet is seen twice), so 32 MiB is about 256 packets of slack: raise it with -B for bursts. */
export const DEFAULT_LIVE: Omit<LiveOptions, 'device'> = { filter: '', snaplen: 65535, bufferSize: 32 << 20, maxQueue: 200_000 };


/**
 * cap's open() can fail after pcap_create() (pcap_activate without permission, a filter libpcap rejects) and then
 * leaves its native handle half made: the C++ destructor, run when the object is garbage-collected, calls
 * uv_poll_stop() on a poll handle that was never initialised and aborts the process (seen in CI as
 * "uv_poll_stop: Assertion `!uv__is_closing(handle)' failed" after our one-line error). Keeping the object reachable
 * until the process exits means that destructor never runs; the leak is one libpcap handle in a process that is
 * about to report the error and leave.
 */
function keepFailedHandle(handle: CapHandle): void {
  process.once('exit', () => void handle);
}

/** What went wrong opening a device, for a one-line message. */
export class LiveCaptureError extends Error {
  constructor(
    readonly kind: 'no_cap' | 'permission' | 'no_device' | 'bad_filter' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

/** cap's link-type names → LINKTYPE_* values (cap reports a few by name and the rest as "Unknown linktype N"). */
function linkTypeOf(name: string): number {
  switch (name) {
    case 'ETHERNET':
      return 1;
    case 'NULL':
      return 0;
    case 'LINKTYPE_LINUX_SLL':
      return 113;
    case 'RAW':
      return 101;
    case 'IEEE802_11_RADIO':
      return 127;
  }
  const m = /Unknown linktype (\d+)/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** Loads `cap`, which is an optional dependency built against libpcap at install time. */
export function loadCap(): CapModule {
  try {
    return require('cap') as CapModule;
  } catch (e) {
    throw new LiveCaptureError(
      'no_cap',
      `live capture needs the 'cap' module built against libpcap (${(e as Error).message.split('\n')[0]}); install the system package libpcap-dev (Debian/Ubuntu: apt-get install libpcap-dev), then run 'npm rebuild cap' in the rpcsnoop directory`,
    );
  }
}

/** Classifies libpcap's error text for the user. */
export function classifyOpenError(device: string, message: string, devices: () => string[]): LiveCaptureError {
  const m = message.split('\n')[0];
  if (/permission|not permitted|EPERM|EACCES/i.test(m)) {
    return new LiveCaptureError('permission', `${device}: ${m}: run as root, or grant the capabilities (setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")")`);
  }
  if (/no such device|doesn't exist|not found|SIOCGIF/i.test(m)) {
    let list = '';
    try {
      list = devices().join(', ');
    } catch {
      // listing may fail for the same reason; the message is still useful without it
    }
    return new LiveCaptureError('no_device', `${device}: no such interface${list ? ` (interfaces: ${list})` : ''}`);
  }
  if (/syntax|filter|expression|parse error|unknown host|illegal/i.test(m)) return new LiveCaptureError('bad_filter', `bad capture filter: ${m}`);
  return new LiveCaptureError('other', `${device}: ${m}`);
}

/** False only when libpcap surely has no such device: not in its list, and (Linux) no network interface of that
 *  name. Pseudo-devices with a parameter (nflog:5) are left to libpcap. */
function deviceMayExist(capModule: CapModule, device: string): boolean {
  if (device.includes(':') || device.includes('/')) return true;
  try {
    if (capModule.Cap.deviceList().some((d) => d.name === device)) return true;
  } catch {
    return true; // cannot list: let libpcap decide
  }
  return process.platform !== 'linux' || existsSync(`/sys/class/net/${device}`);
}

/** The frame's length on the wire when the copy was cut: from the IPv4/IPv6 length after a known link header. */
function wireLength(b: Uint8Array, linkType: number, fallback: number): number {
  const off = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 276 ? 20 : linkType === 0 ? 4 : linkType === 101 ? 0 : -1;
  if (off < 0 || b.length < off + 6) return fallback;
  const version = b[off] >> 4;
  if (version === 4) return Math.max(fallback, off + ((b[off + 2] << 8) | b[off + 3]));
  if (version === 6) return Math.max(fallback, off + 40 + ((b[off + 4] << 8) | b[off + 5]));
  return fallback;
}

export class LiveCapture implements PacketSource {
  readonly linkType: number;
  /** Frames dropped because the consumer fell behind (bounded queue). */
  dropped = 0;
  private readonly cap: CapHandle;
  private readonly clock = new LiveClock();
  private readonly buffer: Buffer;
  private queue: RawFrame[] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private stopped = false;
  private frameNo = 0;
  private bytes = 0;

  constructor(
    capModule: CapModule,
    private readonly opts: LiveOptions,
  ) {
    this.cap = new capModule.Cap();
    this.buffer = Buffer.alloc(Math.min(Math.max(opts.snaplen, 64), 65535));
    // cap's open() writes a line of its own on stderr ("Warning: SIOCGIFADDR: nosuchif0: No such device - This may
    // not actually work") before libpcap fails on a device that does not exist: report that case without calling it
    if (!deviceMayExist(capModule, opts.device)) {
      throw classifyOpenError(opts.device, 'No such device exists', () => capModule.Cap.deviceList().map((d) => d.name));
    }
    let link: string;
    try {
      link = this.cap.open(opts.device, opts.filter, opts.bufferSize, this.buffer);
    } catch (e) {
      keepFailedHandle(this.cap);
      throw classifyOpenError(opts.device, (e as Error).message, () => capModule.Cap.deviceList().map((d) => d.name));
    }
    this.linkType = linkTypeOf(link);
    this.cap.on('packet', (n, truncated) => this.onPacket(n, truncated));
  }

  get name(): string {
    return this.opts.device;
  }

  /** Frames captured and not yet taken by the consumer. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  bytesRead(): number {
    return this.bytes;
  }

  get framesCaptured(): number {
    return this.frameNo;
  }

  private onPacket(n: number, truncated: boolean): void {
    if (this.stopped) return;
    const ts = this.clock.stamp();
    if (this.pending >= this.opts.maxQueue) {
      this.dropped++;
      return;
    }
    const bytes = new Uint8Array(n);
    bytes.set(this.buffer.subarray(0, n));
    const origLen = truncated || n === 65535 ? wireLength(bytes, this.linkType, n) : n;
    this.frameNo++;
    this.bytes += n;
    this.queue.push({ frameNo: this.frameNo, ts, capLen: n, origLen, linkType: this.linkType, bytes, interfaceId: 0 });
    // Wake the consumer on the next turn of the event loop, not now: cap emits packets from inside its read loop
    // (each 'packet' event runs the microtask queue), so decoding here would keep the kernel ring waiting.
    // Deferred, cap first moves every waiting packet into this queue — measured: a third of the losses at 40k msg/s.
    const w = this.wake;
    this.wake = null;
    if (w) setImmediate(w);
  }

  /** Stops capturing; frames already queued are still delivered, then frames() ends. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.cap.close();
    } catch {
      // closing an already failed handle: nothing left to release
    }
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *frames(): AsyncGenerator<RawFrame, void, undefined> {
    let sliceStart = performance.now();
    for (;;) {
      if (this.head < this.queue.length) {
        // decode in slices of at most SLICE_MS, then let the event loop run cap's reads again
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        const f = this.queue[this.head];
        this.queue[this.head++] = undefined as unknown as RawFrame;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        yield f;
        continue;
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      sliceStart = performance.now();
    }
  }
}

/** `-D`: the interfaces libpcap can capture on, numbered like tcpdump -D. */
export function describeDevices(capModule: CapModule): string[] {
  return capModule.Cap.deviceList().map((d, i) => {
    const addrs = d.addresses.map((a) => a.addr).join(', ');
    const notes = [d.description, d.flags?.includes('LOOPBACK') ? 'Loopback' : undefined, addrs || undefined].filter(Boolean).join('; ');
    return `${i + 1}.${d.name}${notes ? ` (${notes})` : ''}`;
  });
}
