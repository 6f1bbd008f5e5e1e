import { HelmRelease, chartHelpers } from '../src/helm/chart';
import { TemplateDoc, getPath } from '../src/helm/infer';
import { copyData } from '../src/option-paths';
import { Cond, Piece, TEntry, TItem, TNode } from '../src/helm/template';

/**
 * An in-process reading of the chart templates (the trees src/helm/template.ts prints as Go templates) for
 * given values and release: what helm renders, without running helm. Tests compare it with helm on some
 * values and use it where helm would be too slow (every pair of switches).
 */
export function evaluateTemplates(profile: string, docs: readonly TemplateDoc[], values: unknown, release: HelmRelease): any[] {
  const ctx: Ctx = { profile, values, release };
  return docs.filter(d => holds(d.cond, ctx)).map(d => node(d.node, ctx));
}

interface Ctx {
  readonly profile: string;
  readonly values: unknown;
  readonly release: HelmRelease;
}

const DEFAULT_NAMESPACE = /^\(\.Values\.([\w.]+) \| default \.Release\.Namespace\)$/;
const TERNARY_DEFAULT = /^\(\.Values\.([\w.]+) \| default \(ternary (\d+) (\d+) \(eq \.Values\.([\w.]+) "([^"]+)"\)\)\)$/;

const DICT_DEFAULT = /^\(\.Values\.([\w.]+) \| default \(get \(dict ((?:"[^"]+" \d+ ?)+)\) \.Values\.([\w.]+)\)\)$/;
const HAS_DEFAULT =
  /^\(\.Values\.([\w.]+) \| default \(ternary "([^"]*)" "([^"]*)" \(has \.Values\.([\w.]+) \(list ((?:"[^"]+" ?)+)\)\)\)\)$/;
const PRINTF_DEFAULT = /^\(\.Values\.([\w.]+) \| default \(printf "([^"]*)" \.Values\.([\w.]+)\)\)$/;
const BOOL_TERNARY_DEFAULT = /^\(\.Values\.([\w.]+) \| default \(ternary (\d+) (\d+) \.Values\.([\w.]+)\)\)$/;

/** A values path or a ref expression (the forms src/helm/specs.ts uses). */
function read(path: string, ctx: Ctx): unknown {
  if (path === '.Release.Name') return ctx.release.name;
  let m = DEFAULT_NAMESPACE.exec(path);
  if (m) return (getPath(ctx.values, m[1]) as string) || ctx.release.namespace;
  m = TERNARY_DEFAULT.exec(path);
  if (m) {
    const v = getPath(ctx.values, m[1]);
    return v === null || v === undefined || v === 0 ? Number(getPath(ctx.values, m[4]) === m[5] ? m[2] : m[3]) : v;
  }
  m = DICT_DEFAULT.exec(path);
  if (m) {
    const v = getPath(ctx.values, m[1]);
    const table = Object.fromEntries([...m[2].matchAll(/"([^"]+)" (\d+)/g)].map(x => [x[1], Number(x[2])]));
    return v === null || v === undefined || v === 0 ? table[getPath(ctx.values, m[3]) as string] : v;
  }
  m = HAS_DEFAULT.exec(path);
  if (m) {
    const v = getPath(ctx.values, m[1]);
    const list = [...m[5].matchAll(/"([^"]+)"/g)].map(x => x[1]);
    return v === null || v === undefined || v === '' ? (list.includes(getPath(ctx.values, m[4]) as string) ? m[2] : m[3]) : v;
  }
  m = PRINTF_DEFAULT.exec(path);
  if (m) {
    const v = getPath(ctx.values, m[1]);
    return v === null || v === undefined || v === '' ? m[2].replace('%s', String(getPath(ctx.values, m[3]))) : v;
  }
  m = BOOL_TERNARY_DEFAULT.exec(path);
  if (m) {
    const v = getPath(ctx.values, m[1]);
    return v === null || v === undefined || v === 0 ? Number(getPath(ctx.values, m[4]) === true ? m[2] : m[3]) : v;
  }
  if (path.startsWith('.') || path.startsWith('(')) throw new Error(`helm-eval: unknown ref ${path}`);
  return getPath(ctx.values, path);
}

function holds(cond: Cond, ctx: Ctx): boolean {
  return cond.every(a => {
    const v = getPath(ctx.values, a.path);
    if (typeof a.value === 'boolean') return (v === true) === ((a.op === 'eq') === a.value);
    return (v === a.value) === (a.op === 'eq');
  });
}

function piece(p: Piece, json: boolean, ctx: Ctx): string {
  if ('text' in p) return p.text;
  const v = read(p.path, ctx);
  if (p.join !== undefined) return (v as unknown[]).map(String).join(p.join);
  if (p.number || (p.intOrString && typeof v === 'number')) return String(Math.trunc(Number(v)));
  return json ? JSON.stringify(String(v)).slice(1, -1) : String(v);
}

/** Go's `with`: empty maps and lists (and null) are false. */
const nonEmpty = (v: unknown) => v !== null && v !== undefined && (typeof v !== 'object' || Object.keys(v as object).length > 0);

function node(n: TNode, ctx: Ctx): any {
  switch (n.t) {
    case 'lit':
      return copyData(n.v);
    case 'num':
      return Math.trunc(Number(read(n.path, ctx)));
    case 'str': {
      const only = n.pieces[0];
      if (n.pieces.length === 1 && !('text' in only) && !only.number && !only.intOrString) return read(only.path, ctx);
      return n.pieces.map(p => piece(p, n.json === true, ctx)).join('');
    }
    case 'map':
      return map(n.entries, ctx);
    case 'list':
      return list(n.items, ctx);
  }
}

/**
 * The siblings that render, as Go templates read `if` / `else if` / `else`: a block's first branch whose
 * condition holds, or its `else` when none did.
 */
function active<T extends { cond: Cond; else?: boolean; elseIf?: boolean }>(xs: readonly T[], ctx: Ctx): T[] {
  const out: T[] = [];
  let taken = false;
  for (const x of xs) {
    if (x.else) {
      if (!taken) out.push(x);
      taken = true;
    } else if (x.elseIf) {
      if (!taken && holds(x.cond, ctx)) {
        out.push(x);
        taken = true;
      }
    } else {
      taken = holds(x.cond, ctx);
      if (taken) out.push(x);
    }
  }
  return out;
}

function map(entries: readonly TEntry[], ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of active(entries, ctx)) {
    if (e.include) {
      const helper = chartHelpers(ctx.profile).helpers.find(h => h.name === e.include)!;
      for (const [k, v] of Object.entries(helper.entries)) out[k] = k === 'app.kubernetes.io/managed-by' ? 'Helm' : node(v, ctx);
    } else if (e.splice) {
      const v = getPath(ctx.values, e.splice);
      if (nonEmpty(v)) Object.assign(out, copyData(v));
    } else {
      const key = e.key.map(p => piece(p, false, ctx)).join('');
      if (e.whole) {
        const v = getPath(ctx.values, e.whole);
        if (nonEmpty(v)) out[key] = e.named ? (v as string[]).map(name => ({ name })) : copyData(v);
      } else {
        out[key] = node(e.node!, ctx);
      }
    }
  }
  return out;
}

function list(items: readonly TItem[], ctx: Ctx): unknown[] {
  const out: unknown[] = [];
  for (const it of active(items, ctx)) {
    if (it.splice) {
      const v = getPath(ctx.values, it.splice);
      if (nonEmpty(v)) out.push(...(it.named ? (v as string[]).map(name => ({ name })) : copyData(v as unknown[])));
    } else {
      out.push(node(it.node!, ctx));
    }
  }
  return out;
}
