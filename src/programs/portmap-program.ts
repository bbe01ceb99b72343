/**
 * Program 100000 as one registry entry: PORTMAP version 2 (RFC 1833 §3) and RPCBIND versions 3 and 4 (RFC 1833 §2).
 * snoop names the layer by version (`PORTMAP C GETPORT ...`, `RPCBIND C GETADDR ...`) and gives each its own `-v`
 * block (`PMAP:  ----- Portmapper -----`, `RPCB:  ----- RPC Bind -----`; snoop-format.md §1.5, §1.6, §2.2).
 */
import type { ProgramDef } from '../rpc/registry';
import { PORTMAP_V2 } from './portmap';
import { RPCBIND_V3, RPCBIND_V4 } from './rpcbind';

export const PORTMAP_PROGRAM: ProgramDef = {
  prog: 100000,
  name: 'PORTMAP',
  versionNames: { 3: 'RPCBIND', 4: 'RPCBIND' },
  versions: { 2: PORTMAP_V2, 3: RPCBIND_V3, 4: RPCBIND_V4 },
  layer: (vers) => (vers === 2 ? 'PORTMAP' : vers === 3 || vers === 4 ? 'RPCBIND' : null),
  verbose: (vers) =>
    vers === 2 ? { prefix: 'PMAP:  ', title: 'Portmapper' } : vers === 3 || vers === 4 ? { prefix: 'RPCB:  ', title: 'RPC Bind' } : null,
};
