/**
 * The closed set of anomaly names (Zeek's habit): snake_case, reported with the message or stream they concern,
 * counted in the run summary, and never a reason to stop decoding.
 */
export const ANOMALIES = [
  // link / network layer
  'frame_truncated', // the snaplen cut the frame: headers or payload incomplete
  'unknown_link_type',
  'bad_ip_header',
  'bad_ip_length',
  'ip_fragment_overlap',
  'ip_fragment_incomplete', // fragments that never completed (timed out or end of capture)
  'ip_fragment_table_full',
  'ip_fragment_too_large', // a fragment reaching past the maximum datagram size: dropped, never buffered
  'bad_tcp_header',
  'bad_udp_header',
  // TCP reassembly
  'tcp_gap', // bytes lost before this data
  'tcp_out_of_order_overflow', // out-of-order buffer exceeded its bound; missing bytes declared lost
  'tcp_stream_table_full',
  // record marking / RPC
  'record_resync', // bytes skipped to find the next plausible record
  'record_too_large', // record longer than --max-record-size: kept truncated
  'record_buffer_full', // partial record cut to keep all connections' partial records within --max-record-buffer
  'record_truncated', // record cut short by lost bytes or the snaplen
  'not_rpc', // a record or datagram that does not parse as an RPC message
  'malformed_header', // RPC header too short or inconsistent
  'xdr_length_exceeded', // an XDR length past the data or over its cap
  'body_truncated', // the procedure's arguments or results were cut short (snaplen, lost bytes)
  'malformed_body', // the procedure's arguments or results do not decode
  // pairing
  'pairing_table_full', // a pending call was evicted to make room (--max-pending)
  'answered_table_full', // an answered call was forgotten to make room (--max-answered)
  'release_queue_full', // a call was printed before its reply to bound the messages held back (--max-held)
  // reports
  'endpoint_table_full', // --stats: a client or server past --max-endpoints, counted in the "(others)" row
] as const;

export type Anomaly = (typeof ANOMALIES)[number];
