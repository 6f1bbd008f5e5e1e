import { existsSync, readFileSync, readdirSync, statSync } from 'fs';
import { join, resolve } from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readDocuments } from './helpers';

/**
 * Access to ../shared/reference (upstream schemas) for strict validation. RDMA_REFERENCE_DIR names it;
 * unset, ../shared/reference beside the repository is used when present.
 */
export interface ReferenceLocation {
  readonly dir?: string;
  /** Why the suite is skipped, when dir is undefined. */
  readonly skipReason?: string;
}

export function locateReference(): ReferenceLocation {
  const env = process.env.RDMA_REFERENCE_DIR;
  if (env !== undefined && env !== '') {
    const dir = resolve(env);
    if (!existsSync(join(dir, 'kubernetes'))) {
      throw new Error(`RDMA_REFERENCE_DIR is set to ${env} but ${dir}/kubernetes does not exist`);
    }
    return { dir };
  }
  const beside = resolve(__dirname, '..', '..', 'shared', 'reference');
  if (existsSync(join(beside, 'kubernetes'))) return { dir: beside };
  return { skipReason: `no upstream reference schemas: RDMA_REFERENCE_DIR is unset and ${beside} does not exist` };
}

type Schema = Record<string, any>;

/** Adds additionalProperties: false to every object schema with properties, except under x-kubernetes-preserve-unknown-fields. */
export function strictify(schema: any, underPreserve = false): any {
  if (Array.isArray(schema)) return schema.map(s => strictify(s, underPreserve));
  if (!schema || typeof schema !== 'object') return schema;
  const preserve = underPreserve || schema['x-kubernetes-preserve-unknown-fields'] === true;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([pk, pv]) => [pk, strictify(pv, preserve)]));
    } else if (k === 'enum' || k === 'required' || k === 'default' || k === 'example') {
      out[k] = v;
    } else {
      out[k] = strictify(v, preserve);
    }
  }
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

function newAjv(): Ajv {
  // No optimizer pass over the generated code (ajv's `code.optimize`, one pass unless set: ajv 8.20.0 dist/core.js):
  // the same checks, and about half a second less CPU to compile the Kubernetes definitions for this suite.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, code: { optimize: false } });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'int-or-string', 'quantity', 'date-time-rfc3339']) ajv.addFormat(f, true);
  return ajv;
}

export interface Violation {
  readonly object: string;
  readonly against: string;
  readonly errors: string;
}

/** One Kubernetes version's strict definitions in an Ajv instance, and the definition of each kind. */
interface KubeDefinitions {
  readonly ajv: Ajv;
  readonly id: string;
  readonly byGvk: Map<string, string>;
  /** Compiled validators of the built-in kinds (a kind's schema pulls in most of the definitions) and of ObjectMeta. */
  readonly compiled: Map<string, ValidateFunction>;
}

const definitionsByFile = new Map<string, KubeDefinitions>();
/** The definitions of a file, loaded and compiled once per test file for every validator of that version. */
function kubeDefinitions(definitionsFile: string): KubeDefinitions {
  let d = definitionsByFile.get(definitionsFile);
  if (!d) {
    const defs = JSON.parse(readFileSync(definitionsFile, 'utf8')).definitions as Schema;
    const byGvk = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as any[]) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        byGvk.set(`${apiVersion}/${gvk.kind}`, name);
      }
    }
    const ajv = newAjv();
    const id = `k8s-${definitionsByFile.size}`;
    ajv.addSchema({ $id: id, definitions: strictify(defs) });
    d = { ajv, id, byGvk, compiled: new Map() };
    definitionsByFile.set(definitionsFile, d);
  }
  return d;
}

/**
 * CRD schemas, compiled once for every Kubernetes version (keyed by the strict schema's text, so that two CRDs that
 * register other schemas under one name never share one): a custom resource's
 * metadata is checked apart, against the ObjectMeta of the validator's version, so the rest of a CRD's schema
 * does not depend on the version.
 */
let crdAjv: Ajv | undefined;
const crdCompiled = new Map<string, ValidateFunction>();
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Validates objects against the strict Kubernetes definitions of one version and CRD schemas. */
export class StrictValidator {
  private readonly k8s: KubeDefinitions;
  private readonly crds = new Map<string, { schema: Schema; source: string; text: string }>();

  constructor(
    definitionsFile: string,
    public readonly label: string,
  ) {
    this.k8s = kubeDefinitions(definitionsFile);
  }

  private get ajv(): Ajv {
    return this.k8s.ajv;
  }

  private get k8sId(): string {
    return this.k8s.id;
  }

  /** Registers a CRD (object) so its kinds validate against its openAPIV3Schema, made strict. */
  addCrd(crd: any, source: string): void {
    for (const v of crd.spec.versions) {
      const apiVersion = `${crd.spec.group}/${v.name}`;
      const schema = strictify(v.schema.openAPIV3Schema);
      // Every object has apiVersion, kind and metadata, whether or not the CRD's schema declares them.
      schema.properties = {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        ...schema.properties,
        // Checked against the version's ObjectMeta by validate().
        metadata: { type: 'object' },
      };
      this.crds.set(`${apiVersion}/${crd.spec.names.kind}`, { schema, source, text: JSON.stringify(schema) });
    }
  }

  /** Registers every CRD document of a YAML file. */
  addCrdFile(file: string): void {
    for (const crd of readDocuments(readFileSync(file, 'utf8'))) if (crd.kind === 'CustomResourceDefinition') this.addCrd(crd, file);
  }

  hasSchemaFor(obj: any): boolean {
    const key = `${obj.apiVersion}/${obj.kind}`;
    return this.crds.has(key) || this.k8s.byGvk.has(key);
  }

  validate(obj: any): Violation[] {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const id = `${key}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    let fn: ValidateFunction | undefined;
    let against: string;
    const crd = this.crds.get(key);
    if (crd) {
      against = `CRD ${crd.source}`;
      fn = crdCompiled.get(crd.text) ?? (crdAjv ??= newAjv()).compile(crd.schema);
      crdCompiled.set(crd.text, fn);
      const meta = this.k8s.compiled.get(OBJECT_META) ?? this.ajv.compile({ $ref: `${this.k8sId}#/definitions/${OBJECT_META}` });
      this.k8s.compiled.set(OBJECT_META, meta);
      const errors = [
        ...(fn(obj) ? [] : [crdAjv!.errorsText(fn.errors, { separator: '\n  ' })]),
        ...(obj.metadata === undefined || meta(obj.metadata)
          ? []
          : [this.ajv.errorsText(meta.errors, { separator: '\n  ', dataVar: 'data/metadata' })]),
      ];
      return errors.length === 0 ? [] : [{ object: id, against, errors: errors.join('\n  ') }];
    } else {
      const def = this.k8s.byGvk.get(key);
      if (!def) return [{ object: id, against: this.label, errors: `no schema for ${key}` }];
      against = `${this.label} ${def}`;
      fn = this.k8s.compiled.get(key) ?? this.ajv.compile({ $ref: `${this.k8sId}#/definitions/${def}` });
      this.k8s.compiled.set(key, fn);
    }
    if (fn(obj)) return [];
    return [{ object: id, against, errors: this.ajv.errorsText(fn.errors, { separator: '\n  ' }) }];
  }
}

/** Every *.yaml under a folder, recursively. */
export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out.sort();
}
