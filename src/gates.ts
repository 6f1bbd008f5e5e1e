import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/**
 * Switches that gate whole objects. A profile builds the constructs an on/off option controls inside
 * `gate(scope, path, on, build)`: a normal synth builds them only when the option is on. The Helm chart
 * generator synthesizes the profile once in gate mode (context CHART_GATES_CONTEXT_KEY): every gate is built,
 * and each API object it creates carries the gate's option path, so the chart wraps that object in
 * `{{- if .Values.<path> }}` without synthesizing the profile again with the option off. An option that also
 * changes fields of other objects is not a gate: the generator flips it (see src/helm/infer.ts).
 */
export const CHART_GATES_CONTEXT_KEY = 'cdk8s-rdma/chart-gates';

/**
 * What must hold for an API object to exist: a boolean option is on (`value` true), or a string option is set
 * (op `ne`, value ''). The chart's condition atoms (src/helm/template.ts CondAtom) are these.
 */
export interface GateAtom {
  readonly path: string;
  readonly op: 'eq' | 'ne';
  readonly value: boolean | string;
}

const gatesOf = new WeakMap<IConstruct, readonly GateAtom[]>();

const inGateMode = (scope: IConstruct) => scope.node.tryGetContext(CHART_GATES_CONTEXT_KEY) === true;

/** The charts a profile builds into: the app's charts and the charts nested in them (the checks). */
function chartsOf(root: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  const visit = (c: IConstruct) => {
    for (const child of c.node.children) {
      if (Chart.isChart(child)) {
        out.push(child);
        visit(child);
      }
    }
  };
  visit(root);
  return out;
}

/**
 * Builds what `build` makes when `on` (the value of the boolean option `path`), and returns it; otherwise
 * returns undefined. In gate mode it always builds and records `path` on every API object created.
 */
export function gate<T>(scope: Construct, path: string, on: boolean, build: () => T): T | undefined {
  return gateOn(scope, { path, op: 'eq', value: true }, on, build);
}

/**
 * Builds what `build` makes, always (the CLI sets every such option); in a Helm chart the objects exist only
 * while the string option `path` is set, and unset the release provides them (its namespace, for example).
 */
export function gateSet<T>(scope: Construct, path: string, build: () => T): T {
  return gateOn(scope, { path, op: 'ne', value: '' }, true, build)!;
}

function gateOn<T>(scope: Construct, atom: GateAtom, on: boolean, build: () => T): T | undefined {
  if (!inGateMode(scope)) return on ? build() : undefined;
  // What build() adds are new children of the charts (constructs take a chart as their scope); their API
  // objects are the gate's. Only the new subtrees are walked.
  const charts = chartsOf(scope.node.root);
  const before = charts.map(c => c.node.children.length);
  const built = build();
  charts.forEach((c, i) => {
    for (const child of c.node.children.slice(before[i])) {
      if (Chart.isChart(child)) continue;
      for (const o of child.node.findAll()) {
        if (ApiObject.isApiObject(o)) gatesOf.set(o, [atom, ...(gatesOf.get(o) ?? [])]);
      }
    }
  });
  return built;
}

/** The gates of an API object (gate mode), outermost first. */
export function gatesOfObject(o: ApiObject): readonly GateAtom[] {
  return gatesOf.get(o) ?? [];
}
