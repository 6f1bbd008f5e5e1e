/**
 * Dotted option paths (`benchmarks.osu.iterations`) over plain options objects, for the chart generator and the
 * deprecated-path moves. getPath/setPath/deletePath, not lodash or dot-prop: option paths never hold dots or
 * brackets inside a key, the setters must copy (the synths share their inputs), and the package would load a
 * dependency for a few lines.
 */

/** A plain map (not null, not a list). */
export const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A deep copy of plain data (maps, lists, scalars), so that the caller owns what it gets; a scalar is itself. A
 * walk, not structuredClone (V8's serializer, several times slower on the small trees the chart generator copies)
 * or a JSON round trip (which also drops keys whose value is undefined).
 */
export function copyData<T>(x: T): T {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(copyData) as T;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copyData(v)])) as T;
}

export function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** A copy of `obj` with `path` set (intermediate maps created and copied). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const out: Record<string, unknown> = { ...obj };
  out[head] = rest.length === 0 ? value : setPath((obj[head] as Record<string, unknown>) ?? {}, rest.join('.'), value);
  return out;
}

/**
 * A copy of `obj` with each `[path, value]` set in turn: what setPath one after another gives, with each map on the
 * way copied once rather than once per path (a chart's defaults set a hundred paths into one object).
 */
export function withPaths(obj: Record<string, unknown>, entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const copies = new WeakSet<object>();
  const copy = (m: unknown) => {
    const c: Record<string, unknown> = { ...((m as Record<string, unknown>) ?? {}) };
    copies.add(c);
    return c;
  };
  const out = copy(obj);
  for (const [path, value] of entries) {
    const keys = path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      node = node[k] = isRecord(next) && copies.has(next) ? next : copy(next);
    }
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

/** A copy of `obj` without `path`; a map the removal leaves empty goes too (`benchmarks.jobs` once its last key moved). */
export function deletePath(obj: Record<string, unknown>, path: string): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const { [head]: inner, ...others } = obj;
  if (rest.length === 0) return others;
  if (!isRecord(inner)) return obj;
  const left = deletePath(inner, rest.join('.'));
  return Object.keys(left).length === 0 ? others : { ...others, [head]: left };
}
