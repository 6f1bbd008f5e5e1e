import { App, Chart } from 'cdk8s';
import { PROFILES, PROFILE_NAMES, RUN_IDS_CONTEXT_KEY, checkCheckName, runIdOf, runName, synthProfileParts } from '../src/internal';
import { PROFILE_VARIANTS } from './variants';
import { expectSameJson } from './helpers';

describe('run ids', () => {
  const chart = new Chart(new App(), 'c');
  test('a hash of the content: the same content gives the same id, any other value another; undefined members are left out', () => {
    const id = runIdOf(chart, { a: 1, b: { c: ['x', 2], d: true } });
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(runIdOf(chart, { a: 1, b: { c: ['x', 2], d: true }, e: undefined })).toBe(id);
    expect(runIdOf(chart, { a: 1, b: { c: ['x', 3], d: true } })).not.toBe(id);
    expect(runIdOf(chart, { a: 1, b: { c: [2, 'x'], d: true } })).not.toBe(id);
    expect(runName('osu-latency-efa', id)).toBe(`osu-latency-efa-${id}`);
  });
  test('off in an app whose context says so (the Helm charts): base names', () => {
    const app = new App();
    app.node.setContext(RUN_IDS_CONTEXT_KEY, false);
    const off = new Chart(app, 'c');
    expect(runIdOf(off, { a: 1 })).toBe('');
    expect(runName('osu-latency-efa', '')).toBe('osu-latency-efa');
  });
  test('base names leave room for the run id and what the controller appends', () => {
    expect(checkCheckName('X', 'name', 'a'.repeat(45), 9)).toBe('a'.repeat(45));
    expect(() => checkCheckName('X', 'name', 'a'.repeat(46), 9)).toThrow(
      `X: name "${'a'.repeat(46)}" is too long for a check name; allowed: at most 45 characters (the run id adds 9, the controller 9)`,
    );
    expect(() => checkCheckName('X', 'name', 'Bad_Name')).toThrow('X: name "Bad_Name" is not a valid name');
  });
});

test('synthProfileParts reads the checks chart exactly as its own toJson() would', () => {
  for (const profile of PROFILE_NAMES) {
    for (const options of [{}, ...Object.values(PROFILE_VARIANTS[profile] ?? {})]) {
      const app = new App();
      const chart = PROFILES[profile].create(app, options);
      expectSameJson(synthProfileParts(profile, options), { platform: chart.toJson(), checks: chart.checks.toJson() });
    }
  }
});
