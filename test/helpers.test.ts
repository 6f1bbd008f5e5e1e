import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { expectDifferentJson, expectSameJson, readDocument, readDocuments } from './helpers';
import { cachedByInputs, digestOf } from '../scripts/input-cache';

describe('test helpers', () => {
  test('expectSameJson passes as toEqual does (any key order, undefined keys absent) and fails with its diff otherwise', () => {
    expectSameJson({ a: 1, b: [{ c: 'x', d: undefined }] }, { b: [{ c: 'x' }], a: 1 });
    expect(() => expectSameJson({ a: [1, 2] }, { a: [1, 3] })).toThrow(/toEqual/);
    expect(() => expectSameJson({ a: '1' }, { a: 1 })).toThrow(/toEqual/);
    expect(() => expectSameJson({ a: null }, { a: {} })).toThrow(/toEqual/);
    expect(() => expectSameJson([{}], {})).toThrow(/toEqual/);
    expect(() => expectSameJson({ a: 1 }, { a: 1, b: 2 })).toThrow(/toEqual/);
  });

  test('expectDifferentJson passes as not.toEqual does and fails through it on equal values', () => {
    expectDifferentJson({ a: [1, 2] }, { a: [1, 3] });
    expectDifferentJson({ a: '1' }, { a: 1 });
    expect(() => expectDifferentJson({ a: 1, b: undefined }, { a: 1 })).toThrow(/not.*toEqual/);
  });

  test('readDocuments reads a stream with the YAML 1.2 core schema and drops empty documents', () => {
    expect(readDocuments('---\na: yes\nb: 010\nc: 2026-12-01\n---\n---\n- 1\n')).toEqual([{ a: 'yes', b: 10, c: '2026-12-01' }, [1]]);
    expect(() => readDocuments('a: 1\na: 2\n')).toThrow(/duplicated mapping key/);
  });

  test('readDocument reads one document with the same schema and refuses a stream of several', () => {
    expect(readDocument('a: no\nb: 0x10\n')).toEqual({ a: 'no', b: 16 });
    expect(() => readDocument('a: 1\n---\nb: 2\n')).toThrow(/single document/);
    expect(() => readDocument('a: 1\na: 2\n')).toThrow(/duplicated mapping key/);
  });
  test('cachedByInputs keeps a value while its inputs are unchanged and computes afresh when one changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdma-input-cache-'));
    try {
      const [fixed, read, cache] = ['fixed.txt', 'read.txt', 'cache/value.json'].map(f => join(dir, f));
      writeFileSync(fixed, 'a');
      writeFileSync(read, 'b');
      let runs = 0;
      const get = () => cachedByInputs(cache, [fixed], () => ({ value: { run: ++runs }, inputs: [read, fixed] }));
      expect(get()).toEqual({ value: { run: 1 }, cached: false });
      expect(get()).toEqual({ value: { run: 1 }, cached: true });
      writeFileSync(read, 'c'); // a file the computation reported it read
      expect(get()).toEqual({ value: { run: 2 }, cached: false });
      writeFileSync(fixed, 'd'); // a fixed input
      expect(get()).toEqual({ value: { run: 3 }, cached: false });
      rmSync(read); // an input gone
      expect(get()).toEqual({ value: { run: 4 }, cached: false });
      writeFileSync(read, 'e');
      expect(get()).toEqual({ value: { run: 5 }, cached: false });
      writeFileSync(cache, '{"inputs": 1'); // a cache that cannot be read
      expect(get()).toEqual({ value: { run: 6 }, cached: false });
      expect(get()).toEqual({ value: { run: 6 }, cached: true });
      // The digest reads names and contents: the same bytes split differently over two files differ.
      writeFileSync(fixed, 'ab');
      writeFileSync(read, '');
      const one = digestOf([fixed, read]);
      writeFileSync(fixed, 'a');
      writeFileSync(read, 'b');
      expect(digestOf([fixed, read])).not.toBe(one);
      expect(digestOf([join(dir, 'missing')])).toBeUndefined();
      // A cache that cannot be written is a miss every time, not an error.
      const blocked = join(dir, 'file-not-folder');
      writeFileSync(blocked, '');
      const unwritable = () => cachedByInputs(join(blocked, 'value.json'), [fixed], () => ({ value: ++runs, inputs: [] }));
      expect([unwritable(), unwritable()]).toEqual([
        { value: 7, cached: false },
        { value: 8, cached: false },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
