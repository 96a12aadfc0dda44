/**
 * The calibration used when none is named: the constants measured and fitted by `bpfsim measure` +
 * `bpfsim calibrate` on our own host (a 2-vCPU KVM guest on AMD EPYC), rather than the literature
 * file. Browser-safe (no imports), so notebooks share it with the CLI.
 */
export const DEFAULT_CALIBRATION = "kvm-2vcpu-amd-epyc";
