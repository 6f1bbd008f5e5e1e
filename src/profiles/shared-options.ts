/**
 * Option fragments every profile shares, so that a profile's parts switch on and off by the same name
 * (`enabled`) and a new profile copies one shape.
 */
import { MpiOperatorProps } from '../constructs/mpi-operator';

/** The MPI operator of a profile (mpi-operator with the project's `mpijobs.kubeflow.org` CRD). */
export interface ProfileMpiOperatorOptions extends Omit<MpiOperatorProps, 'installCrd' | 'createNamespace'> {
  /**
   * Install the MPI operator and the `mpijobs.kubeflow.org` CRD. Turn off on clusters that already run
   * mpi-operator v0.5 or later (MPIJob kubeflow.org/v2beta1); the MPI jobs are emitted either way.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The former name of `enabled`, read until 0.2.0 (with a deprecation warning).
   * @deprecated use `enabled`
   */
  readonly install?: boolean;
}
