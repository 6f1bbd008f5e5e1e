import { copyData, deletePath, getPath, setPath, withPaths } from '../src/option-paths';

describe('option paths', () => {
  test('setPath copies the maps on its way and leaves its input alone; getPath reads through missing maps', () => {
    const input = { a: { b: 1, c: [1] }, d: 'x' };
    const out = setPath(input, 'a.e.f', 2);
    expect(out).toEqual({ a: { b: 1, c: [1], e: { f: 2 } }, d: 'x' });
    expect(input).toEqual({ a: { b: 1, c: [1] }, d: 'x' });
    expect(out.d).toBe('x');
    expect(getPath(out, 'a.e.f')).toBe(2);
    expect(getPath(out, 'a.x.y')).toBeUndefined();
    expect(deletePath(out, 'a.e.f')).toEqual(input);
  });

  test('withPaths gives what setPath one after another gives, and leaves its input and the values it sets alone', () => {
    // Seeded paths over a small alphabet, so that paths share prefixes, repeat, and set a value where a map was.
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 200; round++) {
      const entries: [string, unknown][] = Array.from({ length: 1 + next(12) }, () => {
        const path = Array.from({ length: 1 + next(3) }, () => 'abc'[next(3)]).join('.');
        const kind = next(3);
        return [path, kind === 0 ? next(9) : kind === 1 ? { z: next(9) } : [next(9)]];
      });
      const base = { a: { b: { c: 0 } }, q: 1 };
      const frozenBase = JSON.stringify(base);
      const values = JSON.stringify(entries);
      const expected = entries.reduce<Record<string, unknown>>((o, [p, v]) => setPath(o, p, v), base);
      expect({ round, out: withPaths(base, entries) }).toEqual({ round, out: expected });
      expect([JSON.stringify(base), JSON.stringify(entries)]).toEqual([frozenBase, values]);
    }
  });

  test('copyData copies maps and lists all the way down, keeps scalars and keys whose value is undefined', () => {
    const input = { a: [1, { b: 'x', c: null }], d: { e: { f: true } }, u: undefined };
    const out = copyData(input);
    expect(out).toStrictEqual(input);
    expect(Object.keys(out)).toEqual(['a', 'd', 'u']);
    out.a.push(2);
    (out.a[1] as { b: string }).b = 'y';
    out.d.e.f = false;
    expect(input).toStrictEqual({ a: [1, { b: 'x', c: null }], d: { e: { f: true } }, u: undefined });
    expect(copyData('s')).toBe('s');
    expect(copyData(null)).toBe(null);
  });
});
