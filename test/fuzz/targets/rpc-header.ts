/**
 * Fuzz target (e): one RPC message (RFC 5531 §9 rpc_msg: call or reply header, credentials, verifier, then a body)
 * as a UDP datagram's payload. The header decoder runs on it directly, then the datagram goes through the pipeline
 * (detection, pairing with a previous call of the same xid, body decoding) and every printer mode. The input is
 * sent twice, to port 2049 and back, so a call meets a "reply" with its xid and vice versa.
 */
import { DEFAULT_PIPELINE, defaultRegistry, Pipeline } from '../../../src/pipeline';
import { probeRpcHeader } from '../../../src/rpc/detect';
import { decodeRpcHeader } from '../../../src/rpc/message';
import { frameOf, udpPacket } from '../frame-builder';
import { allPrinters } from './printers';

export function fuzz(data: Buffer): void {
  probeRpcHeader(data, 0, data.length);
  decodeRpcHeader(data);
  const registry = defaultRegistry();
  let printers: ReturnType<typeof allPrinters> = [];
  const pipeline = new Pipeline({ ...DEFAULT_PIPELINE, hold: false, allFrames: true }, (ev) => {
    for (const p of printers) p.lines(ev);
  }, registry);
  printers = allPrinters(registry, pipeline.names);
  const ts = { sec: 1_700_000_000, nsec: 0 };
  pipeline.pushFrame(frameOf(udpPacket({ toServer: true, serverPort: 2049 }, data), 1, ts));
  pipeline.pushFrame(frameOf(udpPacket({ toServer: false, serverPort: 2049 }, data), 2, { sec: ts.sec, nsec: 1000 }));
  pipeline.finish();
}
