/**
 * Display filters: compiling an expression once (fields looked up, values checked, regular expressions built)
 * into a Filter that tests messages and transactions.
 *
 * A filter is tested on a VIEW: one or more messages of a transaction (the call, its retransmissions, its
 * reply). Each field's values in a view are the union of its messages' values, taken from the message that has
 * them (fields.ts): uid/gid/machine/name from the call, status/error from the reply, the rest from both; a flag
 * is set when it is set on any message. So `matchesTransaction(call, reply)` answers for the pair as a whole —
 * `uid == 0` is true for a root call together with its reply, `status == NOENT` for a failing LOOKUP call
 * together with its reply — and `matchesEvent(ev)` for one message alone (a reply alone has no uid; a call alone
 * no status). Fields of both messages have both messages' values: on a pair, `type == call` and `type == reply`
 * are both true, `src == A` is true when either message came from A. `not X` is the negation of X on every view,
 * so X and `not X` partition transactions.
 */
import type { RpcEvent } from '../rpc/rpc-event';
import {
  combineValues,
  compileComparison,
  fieldNames,
  lookupField,
  messageValues,
  truthy,
  type FieldContext,
  type FieldDef,
  type FieldValue,
} from './fields';
import { FilterSyntaxError, parseFilter, type FilterNode } from './parser';

export type FilterContext = FieldContext;

export interface FilterOptions {
  /** The context used when a match call gives none (e.g. the path lookup). */
  context?: FilterContext;
}

/** Field values of a view, for the fields a filter uses (see Filter.valuesOf). */
export type FieldValues = ReadonlyMap<FieldDef, readonly FieldValue[]>;

export interface Filter {
  readonly expr: string;
  readonly ast: FilterNode;
  /** The fields the expression uses, each once. */
  readonly fields: readonly FieldDef[];
  /** One message alone. */
  matchesEvent(ev: RpcEvent, ctx?: FilterContext): boolean;
  /** A call and its reply together; either may be null (unanswered call, orphan reply). */
  matchesTransaction(call: RpcEvent | null, reply: RpcEvent | null, ctx?: FilterContext): boolean;
  /** Any messages together (a call, its retransmissions and its reply); none gives the empty view. */
  matchesMessages(msgs: readonly RpcEvent[], ctx?: FilterContext): boolean;
  /** The values of the filter's fields in a view, to remember a transaction without keeping its messages. */
  valuesOf(msgs: readonly RpcEvent[], ctx?: FilterContext): Map<FieldDef, FieldValue[]>;
  /** Tests remembered values (a field missing from the map has no value). */
  matchesValues(values: FieldValues): boolean;
}

type Getter = (def: FieldDef) => readonly FieldValue[];
type Predicate = (get: Getter) => boolean;

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

function unknownField(name: string, pos: number): FilterSyntaxError {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestD = 3;
  for (const n of fieldNames()) {
    const dist = editDistance(lower, n);
    if (dist < bestD) {
      bestD = dist;
      best = n;
    }
  }
  return new FilterSyntaxError(pos, `unknown field '${name}'${best ? `; did you mean '${best}'?` : ''}`);
}

function compileNode(node: FilterNode, used: Set<FieldDef>): Predicate {
  switch (node.type) {
    case 'or': {
      const l = compileNode(node.left, used);
      const r = compileNode(node.right, used);
      return (g) => l(g) || r(g);
    }
    case 'and': {
      const l = compileNode(node.left, used);
      const r = compileNode(node.right, used);
      return (g) => l(g) && r(g);
    }
    case 'not': {
      const p = compileNode(node.operand, used);
      return (g) => !p(g);
    }
    case 'test': {
      const def = lookupField(node.field);
      if (!def) throw unknownField(node.field, node.pos);
      used.add(def);
      return (g) => truthy(def, g(def));
    }
    case 'compare': {
      const def = lookupField(node.field);
      if (!def) throw unknownField(node.field, node.pos);
      used.add(def);
      const test = compileComparison(def, node.op, node.opPos, { text: node.value, quoted: node.quoted, pos: node.valuePos });
      return (g) => test(g(def));
    }
  }
}

const NONE: readonly FieldValue[] = [];
const FALSE: readonly FieldValue[] = [false];

/** Compiles a display filter. Throws FilterSyntaxError (syntax, unknown field, operator or value, bad regex). */
export function compileFilter(expr: string, opts: FilterOptions = {}): Filter {
  const ast = parseFilter(expr);
  const used = new Set<FieldDef>();
  const pred = compileNode(ast, used);
  const fields = [...used];
  const defaultCtx = opts.context ?? {};

  const viewGetter = (msgs: readonly RpcEvent[], ctx: FilterContext): Getter => {
    const cache = new Map<FieldDef, readonly FieldValue[]>();
    return (def) => {
      let v = cache.get(def);
      if (v === undefined) {
        v = combineValues(
          def,
          msgs.map((m) => messageValues(def, m, ctx)),
        );
        cache.set(def, v);
      }
      return v;
    };
  };

  const filter: Filter = {
    expr,
    ast,
    fields,
    matchesMessages: (msgs, ctx = defaultCtx) => pred(viewGetter(msgs, ctx)),
    matchesEvent: (ev, ctx = defaultCtx) => pred(viewGetter([ev], ctx)),
    matchesTransaction: (call, reply, ctx = defaultCtx) => {
      const msgs: RpcEvent[] = [];
      if (call) msgs.push(call);
      if (reply) msgs.push(reply);
      return pred(viewGetter(msgs, ctx));
    },
    valuesOf: (msgs, ctx = defaultCtx) => {
      const get = viewGetter(msgs, ctx);
      return new Map(fields.map((def) => [def, get(def).slice()]));
    },
    matchesValues: (values) => pred((def) => values.get(def) ?? (def.kind === 'flag' ? FALSE : NONE)),
  };
  return filter;
}
