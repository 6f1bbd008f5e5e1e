import { expectDifferentJson, expectSameJson, readDocument, readDocuments } from './helpers';

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
});
