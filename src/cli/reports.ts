/**
 * The analysis reports (`--stats`, `--services`, `--explain`, `--findings`): like `tshark -q -z`, they replace the
 * per-message lines; every RPC event that passes the display filter feeds them, and at the end each prints its
 * report — text, or with --json one JSON object per report on its own line.
 */
import { ExplainAnalyzer } from '../analysis/explain';
import { explainLines } from '../analysis/explain-text';
import { FindingsAnalyzer } from '../analysis/findings';
import { findingsLines } from '../analysis/findings-text';
import { ServicesAnalyzer } from '../analysis/services';
import { servicesJson, servicesLines } from '../analysis/services-table';
import { OTHER_ENDPOINTS, StatsAnalyzer } from '../analysis/stats';
import { statsLines } from '../analysis/stats-table';
import { escapeControls } from '../format/escape';
import { jsonText } from '../format/json-text';
import type { FhNames } from '../programs/fh-names';
import { limitNotice, type LimitNotice } from '../limits';
import { isRpcEvent, type PipelineEvent, type RpcEvent } from '../rpc/rpc-event';

export type ReportKind = 'stats' | 'services' | 'explain' | 'findings';

interface Report {
  add(ev: PipelineEvent): void;
  /** Text lines, or the JSON text of the report. */
  render(json: boolean): string[];
  /** Lines for stderr at the end of the run: limits the report reached. */
  warnings?(): string[];
}

/** What the reports share with the run: their caps, and where a cap reached is told (limits.ts). */
export interface ReportOptions {
  /** --max-endpoints: clients and servers --stats counts one by one. */
  maxEndpoints?: number;
  onLimit?: (notice: LimitNotice) => void;
}

function statsReport(names: FhNames, opts: ReportOptions): Report {
  const notice = (ev: RpcEvent): void => opts.onLimit?.(limitNotice('endpoints', a.maxEndpoints, ev.record.frameNo, ev.record.ts));
  const a = new StatsAnalyzer({ names: { path: (hex: string) => names.path(hex) }, maxEndpoints: opts.maxEndpoints, onEndpointLimit: notice });
  return {
    add: (ev) => isRpcEvent(ev) && a.add(ev),
    render: (json) => {
      const r = a.finish();
      return json ? [jsonText(r)] : statsLines(r);
    },
    warnings: () => {
      const n = a.endpointOverflow;
      return n > 0 ? [`stats endpoint table full: ${n} messages of clients or servers past the first ${a.maxEndpoints} counted in the ${OTHER_ENDPOINTS} rows (raise --max-endpoints)`] : [];
    },
  };
}

function servicesReport(): Report {
  const a = new ServicesAnalyzer();
  return {
    add: (ev) => isRpcEvent(ev) && a.add(ev),
    render: (json) => {
      const r = a.finish();
      return json ? [servicesJson(r)] : servicesLines(r);
    },
  };
}

function explainReport(): Report {
  const a = new ExplainAnalyzer();
  return {
    add: (ev) => a.add(ev),
    render: (json) => {
      const r = a.finish();
      return json ? [jsonText(r)] : explainLines(r);
    },
  };
}

function findingsReport(names: FhNames): Report {
  const a = new FindingsAnalyzer({ pathOf: (hex: string) => names.path(hex) });
  return {
    add: (ev) => a.add(ev),
    render: (json) => {
      const r = a.finish();
      return json ? [jsonText(r)] : findingsLines(r);
    },
  };
}

export class Reports {
  private readonly reports: Report[];

  constructor(kinds: ReportKind[], names: FhNames, opts: ReportOptions = {}) {
    this.reports = kinds.map((k) => (k === 'stats' ? statsReport(names, opts) : k === 'services' ? servicesReport() : k === 'explain' ? explainReport() : findingsReport(names)));
  }

  get active(): boolean {
    return this.reports.length > 0;
  }

  add(ev: PipelineEvent): void {
    for (const r of this.reports) r.add(ev);
  }

  /** Limits the reports reached, one line each for stderr at the end of the run. */
  warningLines(): string[] {
    return this.reports.flatMap((r) => r.warnings?.() ?? []);
  }

  /** Call after the pipeline (and the display filter) finished. */
  lines(json: boolean): string[] {
    const out: string[] = [];
    this.reports.forEach((r, i) => {
      if (i > 0 && !json) out.push('');
      // Text lines escaped here as well as where wire strings enter them: a report line is output, whatever built it.
      // (not push(...): a report can have more lines than the stack has room for arguments)
      for (const l of r.render(json)) out.push(json ? l : escapeControls(l));
    });
    return out;
  }
}
