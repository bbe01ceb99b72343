/**
 * rpcsnoop's public API: what the CLI, the TUI and other programs use. Everything else is internal.
 */
export { openCapture } from './capture/open-capture';
export { CaptureError, formatEpoch, tsDiffSeconds, type PacketSource, type RawFrame, type Timestamp } from './capture/raw-frame';
export { Pipeline, DEFAULT_PIPELINE, defaultRegistry, type PipelineOptions, type PipelineCounters } from './pipeline';
export type { RpcEvent } from './rpc/rpc-event';
export { currentFlags } from './rpc/rpc-event';
export type { RpcCall, RpcReply, RpcMessage } from './rpc/message';
export type { Transaction, PairingFlag } from './rpc/pairing';
export type { RpcRecord } from './rpc/rpc-record';
export { Registry, type ProcedureDef, type ProgramDef } from './rpc/registry';
export { eventToJson, eventToJsonLine } from './format/json';
export { rpcLine } from './format/rpc-line';
export { summaryPrefix, TimeColumn, type TimeMode } from './format/summary-prefix';
export { ANOMALIES, type Anomaly } from './anomaly';
