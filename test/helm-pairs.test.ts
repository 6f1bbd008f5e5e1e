import { PROFILE_NAMES } from '../src/internal';
import { TEMPLATE_RELEASE, chartDefaults, chartTemplates, chartValues, expectedChartObjects, mergeValues } from '../src/helm/chart';
import { setPath } from '../src/helm/infer';
import { Cond, CondAtom, TNode } from '../src/helm/template';
import { evaluateTemplates } from './helm-eval';
import { expectSameJson } from './helpers';

/*
 * The chart generator synthesizes each switch once (gates not at all) and pairs only where a chart spec
 * declares them (`with`). These tests are its oracle for every pair of switch values, read in-process
 * (test/helm-eval.ts; test/helm.test.ts checks it against helm for every test values file), and prove that no template block is dead.
 */

const idOf = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (objects: any[]) => Object.fromEntries(objects.map(o => [idOf(o), o]));
const withoutCrds = (objects: any[]) => objects.filter(o => o.kind !== 'CustomResourceDefinition');

/** Values a switch needs beside it to be valid input (the CLI and the chart's guards refuse it alone). */
const KARPENTER_REQUIRED = { karpenter: { clusterName: 'hpc', zone: 'us-west-2a' } };
const EFA_FLAVOR = { kueue: { nodeLabels: { 'eks.amazonaws.com/nodegroup': 'efa' } } };
const SWITCH_COMPANIONS: Record<string, object> = {
  'karpenter.enabled=true': KARPENTER_REQUIRED,
  'karpenter.capacityType=spot': { karpenter: { enabled: true, ...KARPENTER_REQUIRED.karpenter } },
  'kueue.enabled=true': EFA_FLAVOR,
  'kueue.topology=required': { kueue: { enabled: true, ...EFA_FLAVOR.kueue } },
  'kueue.topology=none': { kueue: { enabled: true, ...EFA_FLAVOR.kueue } },
};
/** A switch's value with the values it needs beside it. */
const flipped = (path: string, value: unknown, base: Record<string, unknown> = {}) =>
  setPath(mergeValues(base, SWITCH_COMPANIONS[`${path}=${String(value)}`] ?? {}) as Record<string, unknown>, path, value);

describe.each(PROFILE_NAMES)('chart templates of %s', profile => {
  const docs = chartTemplates(profile);
  const defaults = chartDefaults(profile);
  const switches = chartValues(profile).filter(v => v.alternatives);
  const render = (values: unknown) => withoutCrds(evaluateTemplates(profile, docs, mergeValues(defaults, values), TEMPLATE_RELEASE));

  test('each switch flipped alone renders what the profile synthesizes', () => {
    for (const v of switches) {
      for (const alt of v.alternatives!) {
        const values = flipped(v.path, alt);
        expectSameJson(
          { values, objects: byId(render(values)) },
          { values, objects: byId(withoutCrds(expectedChartObjects(profile, values))) },
        );
      }
    }
  });

  test('every pair of switch values renders what the profile synthesizes for them', () => {
    let pairs = 0;
    for (let i = 0; i < switches.length; i++) {
      for (let j = i + 1; j < switches.length; j++) {
        for (const a of switches[i].alternatives!) {
          for (const b of switches[j].alternatives!) {
            const values = flipped(switches[j].path, b, flipped(switches[i].path, a));
            let expected: any[];
            try {
              expected = withoutCrds(expectedChartObjects(profile, values));
            } catch {
              continue; // a pair the profile refuses (each alone is fine) is not a valid input
            }
            pairs++;
            expectSameJson({ values, objects: byId(render(values)) }, { values, objects: byId(expected) });
          }
        }
      }
    }
    expect(pairs).toBeGreaterThan(switches.length);
  });

  test('no template block is dead: each conditional block renders under some switch values and is absent under others', () => {
    // The values each condition reads: the switches' own, and set/unset for the other values conditions test.
    const domains = new Map<string, unknown[]>(switches.map(v => [v.path, [v.default, ...v.alternatives!]]));
    const blocks: Cond[] = [];
    const walk = (n: TNode | undefined, context: Cond) => {
      if (!n || (n.t !== 'map' && n.t !== 'list')) return;
      const xs: { cond: Cond; node?: TNode; else?: boolean; elseIf?: boolean }[] = n.t === 'map' ? n.entries : n.items;
      xs.forEach((x, k) => {
        // An else holds where no branch before it does: each branch's one atom, negated (the chain's `if` and its
        // `else if`s); an `else if` holds where its own atom does (the branches exclude each other).
        let own: Cond = x.cond;
        if (x.else) {
          const branches: Cond[] = [];
          for (let b = k - 1; b >= 0; b--) {
            branches.push(xs[b].cond);
            if (!xs[b].elseIf) break;
          }
          own = branches.flat().map(a => ({ ...a, op: a.op === 'eq' ? 'ne' : 'eq' }) as CondAtom);
        }
        if (own.length > 0) blocks.push([...context, ...own]);
        walk(x.node, [...context, ...own]);
      });
    };
    for (const d of docs) {
      if (d.cond.length > 0) blocks.push(d.cond);
      walk(d.node, d.cond);
    }
    for (const a of blocks.flat())
      if (!domains.has(a.path)) domains.set(a.path, [a.value, a.op === 'ne' && a.value === '' ? 'set' : `not-${String(a.value)}`]);
    // Each block's condition reads a few values: try every assignment of those.
    const seen = blocks.map(c => {
      const paths = [...new Set(c.map(a => a.path))];
      const size = paths.reduce((n, p) => n * domains.get(p)!.length, 1);
      const out = { on: false, off: false };
      for (let k = 0; k < size; k++) {
        let rest = k;
        const asg = new Map<string, unknown>();
        for (const p of paths) {
          const d = domains.get(p)!;
          asg.set(p, d[rest % d.length]);
          rest = Math.floor(rest / d.length);
        }
        if (c.every(a => (asg.get(a.path) === a.value) === (a.op === 'eq'))) out.on = true;
        else out.off = true;
      }
      return out;
    });
    const dead = blocks.filter((_c, i) => !seen[i].on || !seen[i].off);
    expect(dead).toEqual([]);
    expect(blocks.length).toBeGreaterThan(docs.length / 2);
  });

  test('values of a switch that are not the default each change the chart (no alternative is dead either)', () => {
    for (const v of switches) {
      for (const alt of v.alternatives!) {
        // Under the values it depends on (`when`: dra.enabled only with deviceApi "dra"), with the objects that are
        // off by default switched on (the NCCL job).
        const offByDefault = chartValues(profile)
          .filter(x => x.path !== v.path && x.path.endsWith('.enabled') && x.default === false)
          .map(x => ({ path: x.path, value: true }));
        const context = [...[v.when ?? []].flat(), ...offByDefault].reduce<Record<string, unknown>>(
          (o, w) => setPath(o, w.path, w.value),
          {},
        );
        expect({
          path: v.path,
          alt,
          same: JSON.stringify(render(setPath(context, v.path, alt))) === JSON.stringify(render(context)),
        }).toEqual({ path: v.path, alt, same: false });
      }
    }
    expect(switches.length).toBeGreaterThan(3);
  });
});
