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
export { isRpcEvent, type PipelineEvent, type FrameEvent } from './rpc/rpc-event';
export { LiveCapture, loadCap, describeDevices, DEFAULT_LIVE, LiveCaptureError, type LiveOptions } from './capture/live-capture';
export { PcapWriter } from './capture/pcap-writer';
export { createFormatContext, type FormatOptions } from './format/format-context';
export { programSummary, summaryText } from './format/summary-line';
export { programBlock, type ProgramBlock } from './format/program-detail';
export { rpcDetail, RPC_PREFIX, RPC_TITLE } from './format/rpc-detail';
export { layerSummaries, frameAddresses } from './format/layer-lines';
export { layerDetailBlocks } from './format/layer-detail';
export { renderBlock } from './format/verbose-block';
export { flattenDetail, type DetailNode } from './format/detail';
export { escapeControls } from './format/escape';
export type { FormatContext } from './rpc/registry';
export { FhNames } from './programs/fh-names';
export { LearnedPorts } from './programs/learned-ports';
export { FileHandle } from './programs/file-handle';
export { compileFilter, type Filter, type FilterContext, type FilterOptions } from './filter/evaluate';
export { FilterSyntaxError, formatFilterError } from './filter/parser';
export { isErrorReply, statusNames } from './filter/fields';
export type { FramePosition } from './capture/raw-frame';
export { openCaptureAt } from './capture/open-capture-at';
export { redecode, DEFAULT_REDECODE_MAX_FRAMES, DEFAULT_REDECODE_MAX_BYTES, type RedecodeRequest, type RedecodeResult } from './redecode';
