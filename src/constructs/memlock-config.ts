import { Construct } from 'constructs';
import { MachineConfig } from '../../imports/machineconfiguration.openshift.io';
import { RdmaOptionError } from '../errors';
import { standardLabels } from '../labels';
import { checkDnsLabel } from '../validate';
import { MACHINE_CONFIG_ROLE_LABEL } from './hugepages-machine-config';

/** Ignition spec version of the configs we write: 3.2.0, as the proof of concept's memlock MachineConfig and the OKD kernel-argument doc use (openshift-docs MachineConfig kernelArguments; kwozyman/ocp-aws-efa-poc memlock MachineConfig). */
export const IGNITION_VERSION = '3.2.0';

/** Ignition wants file modes as decimal numbers: 0644 is 420. */
const MODE_0644 = 0o644;

/** The `data:` URL Ignition reads a file's contents from (RFC 2397, base64). */
export function ignitionDataUrl(content: string): string {
  return `data:text/plain;charset=utf-8;base64,${Buffer.from(content, 'utf8').toString('base64')}`;
}

/** A ulimit as CRI-O's `default_ulimits` reads it: `<name>=<soft>:<hard>` (docker/go-units ParseUlimit). */
const ULIMIT = /^([a-z]+)=(-1|\d+):(-1|\d+)$/;

/**
 * The CRI-O drop-in that sets the containers' default ulimits: a TOML `[crio.runtime]` table with
 * `default_ulimits` (crio.conf(5)). CRI-O reads /etc/crio/crio.conf.d/ in lexical order and the last file
 * that sets `default_ulimits` wins, so the list is complete in itself.
 */
export function crioUlimitsDropIn(ulimits: readonly string[]): string {
  return ['[crio.runtime]', 'default_ulimits = [', ...ulimits.map((u, i) => `  "${u}"${i < ulimits.length - 1 ? ',' : ''}`), ']', ''].join(
    '\n',
  );
}

export interface MemlockConfigProps {
  /**
   * MachineConfigPool role the config applies to.
   * @default 'worker'
   */
  readonly role?: string;
  /**
   * MachineConfig name.
   * @default '99-<role>-memlock'
   */
  readonly name?: string;
  /**
   * Soft memlock limit of every container on the pool's nodes, in bytes; -1 is unlimited.
   * @default -1
   */
  readonly soft?: number;
  /**
   * Hard memlock limit, in bytes; -1 is unlimited.
   * @default -1
   */
  readonly hard?: number;
  /**
   * Other default ulimits to keep in the same list, as `<name>=<soft>:<hard>` (e.g. `nofile=1048576:1048576`).
   * This drop-in replaces any `default_ulimits` of earlier CRI-O config files on the node.
   * @default []
   */
  readonly extraUlimits?: string[];
  /**
   * File the drop-in is written to.
   * @default '/etc/crio/crio.conf.d/99-cdk8s-rdma-ulimits.conf'
   */
  readonly path?: string;
}

/**
 * A MachineConfig that raises the memlock limit of every container on a pool (default unlimited,
 * `memlock=-1:-1`) with a CRI-O drop-in under /etc/crio/crio.conf.d/, written by Ignition 3.2.0 from a data
 * URL (mode 0644, overwrite). RDMA memory registration pins pages and needs it: libfabric's EFA provider
 * asks for an unlimited memlock limit, and OpenShift has no ContainerRuntimeConfig field for ulimits.
 * Sources: cri-o/cri-o docs/crio.conf.5.md (`default_ulimits`, `<name>=<soft>:<hard>`, -1 unlimited) and
 * docs/crio.conf.d.5.md (drop-ins in lexical order); openshift/api machineconfiguration/v1 (ContainerRuntimeConfig has
 * no ulimits field); ofiwg/libfabric prov/efa/docs/overview.md ("increase the locked memory limits (unlimited is fine)").
 */
export class MemlockConfig extends Construct {
  public readonly name: string;
  public readonly role: string;
  public readonly path: string;
  /** The exact drop-in file content. */
  public readonly content: string;

  constructor(scope: Construct, id: string, props: MemlockConfigProps = {}) {
    super(scope, id);
    const where = 'MemlockConfig';
    this.role = checkDnsLabel(where, 'role', props.role ?? 'worker');
    this.name = checkDnsLabel(where, 'name', props.name ?? `99-${this.role}-memlock`);
    this.path = props.path ?? '/etc/crio/crio.conf.d/99-cdk8s-rdma-ulimits.conf';
    if (typeof this.path !== 'string' || !/^\/etc\/crio\/crio\.conf\.d\/[A-Za-z0-9._-]+$/.test(this.path)) {
      throw new RdmaOptionError(
        where,
        'path',
        props.path,
        'is not a CRI-O drop-in file',
        'a file name directly under /etc/crio/crio.conf.d/, e.g. "/etc/crio/crio.conf.d/99-ulimits.conf"',
      );
    }
    const soft = checkLimit(where, 'soft', props.soft ?? -1);
    const hard = checkLimit(where, 'hard', props.hard ?? -1);
    if (hard !== -1 && (soft === -1 || soft > hard)) {
      throw new RdmaOptionError(
        where,
        'soft',
        soft,
        `is above the hard limit ${hard}`,
        'a soft limit no higher than the hard limit (-1 only with hard -1)',
      );
    }
    const extra = (props.extraUlimits ?? []).map((u, i) => {
      const m = typeof u === 'string' ? ULIMIT.exec(u) : null;
      if (!m) {
        throw new RdmaOptionError(
          where,
          `extraUlimits[${i}]`,
          u,
          'is not a ulimit',
          '"<name>=<soft>:<hard>" with numbers or -1, e.g. "nofile=1048576:1048576"',
        );
      }
      if (m[1] === 'memlock') {
        throw new RdmaOptionError(
          where,
          `extraUlimits[${i}]`,
          u,
          'sets memlock again',
          'other limits only; memlock comes from soft and hard',
        );
      }
      return u;
    });
    this.content = crioUlimitsDropIn([`memlock=${soft}:${hard}`, ...extra]);

    new MachineConfig(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...standardLabels(this, this.name, 'node-config'), [MACHINE_CONFIG_ROLE_LABEL]: this.role },
      },
      spec: {
        config: {
          ignition: { version: IGNITION_VERSION },
          storage: {
            files: [
              {
                path: this.path,
                mode: MODE_0644,
                overwrite: true,
                contents: { source: ignitionDataUrl(this.content) },
              },
            ],
          },
        },
      },
    });
  }
}

function checkLimit(where: string, option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -1 || value === 0) {
    throw new RdmaOptionError(where, option, value, 'is not a memlock limit', 'a positive number of bytes, or -1 for unlimited');
  }
  return value;
}
