/**
 * Ports learned from PORTMAP and RPCBIND replies (GETPORT, GETADDR, GETVERSADDR, DUMP, GETADDRLIST): which program
 * and version a server offers on which transport port. Later traffic on that port — an orphan reply above all,
 * which carries no program number — is attributed to the program. Bounded: the oldest mapping goes first.
 */
export interface PortMapping {
  prog: number;
  vers: number;
  /** What taught us: "GETPORT", "GETADDR", "DUMP", ... */
  source: string;
}

export class LearnedPorts {
  private readonly map = new Map<string, PortMapping>();

  constructor(private readonly max = 65_536) {}

  get size(): number {
    return this.map.size;
  }

  private static key(addr: string, proto: 'tcp' | 'udp', port: number): string {
    return `${proto} ${addr} ${port}`;
  }

  learn(addr: string, proto: 'tcp' | 'udp', port: number, m: PortMapping): void {
    if (port <= 0 || port > 65535) return;
    const k = LearnedPorts.key(addr, proto, port);
    this.map.delete(k);
    this.map.set(k, m);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  lookup(addr: string, proto: 'tcp' | 'udp', port: number): PortMapping | null {
    return this.map.get(LearnedPorts.key(addr, proto, port)) ?? null;
  }

  /** Every mapping, oldest first (for the services view). */
  entries(): Array<{ proto: 'tcp' | 'udp'; addr: string; port: number } & PortMapping> {
    return [...this.map].map(([k, m]) => {
      const [proto, addr, port] = k.split(' ');
      return { proto: proto as 'tcp' | 'udp', addr, port: Number(port), ...m };
    });
  }
}
