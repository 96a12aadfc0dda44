import { describe, expect, it } from "vitest";
import { calibratedInVm, calibrationVmExitNs, costsFrom, ScenarioError } from "../../src/node/costs.ts";
import { isUserError } from "../../src/errors.ts";
import { loadCalibration, loadHardware } from "../../src/models/load.ts";
import { CALIBRATION_CONSTANTS } from "../../src/models/types.ts";

describe("costsFrom: every constant of the calibration file, checked", () => {
  const lit = loadCalibration("literature");
  it("reads each constant's value and nothing else (the model embeds no cost of its own)", () => {
    const c = costsFrom(lit);
    expect(Object.keys(c).sort()).toEqual([...CALIBRATION_CONSTANTS].sort());
    for (const n of CALIBRATION_CONSTANTS) expect(c[n]).toBe(lit.constants[n].value);
  });
  it("refuses a missing constant, naming it and the host class", () => {
    const cal = structuredClone(lit);
    delete (cal.constants as Record<string, unknown>).wakeupNs;
    expect(() => costsFrom(cal)).toThrow(new RegExp(`calibration ${lit.hostClass}: constant wakeupNs is missing`));
  });
  it.each([-1, NaN, Infinity])("refuses a value of %s as a user error", (v) => {
    const cal = structuredClone(lit);
    cal.constants.consumeNs = { ...cal.constants.consumeNs, value: v };
    let err: unknown;
    try {
      costsFrom(cal);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/constants\.consumeNs\.value = .*must be a finite number >= 0/);
  });
  it("0 is a valid cost (a mechanism the host does not pay)", () => {
    const cal = structuredClone(lit);
    cal.constants.consumeNs = { ...cal.constants.consumeNs, value: 0 };
    expect(costsFrom(cal).consumeNs).toBe(0);
  });
});

describe("calibratedInVm: provenance.host.virtualised, true only when stated", () => {
  it("the measured host calibration was taken in a KVM guest; literature values were not", () => {
    expect(calibratedInVm(loadCalibration("kvm-2vcpu-amd-epyc"))).toBe(true);
    expect(calibratedInVm(loadCalibration("literature"))).toBe(false);
  });
  it("anything but a literal true is false", () => {
    const cal = structuredClone(loadCalibration("literature"));
    for (const v of ["true", 1, null, undefined]) {
      cal.provenance.host = { virtualised: v } as never;
      expect(calibratedInVm(cal)).toBe(false);
    }
    delete (cal.provenance as { host?: unknown }).host;
    expect(calibratedInVm(cal)).toBe(false);
  });
});

describe("calibrationVmExitNs: the exit cost a VM calibration's wakeup constants hold", () => {
  it("is the measuring host's profile's vmExitNs (dev-kvm-2vcpu describes kvm-2vcpu-amd-epyc)", () => {
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    expect(calibrationVmExitNs(cal)).toBe(loadHardware("dev-kvm-2vcpu").vmExitNs);
  });
  it("is undefined for a calibration not taken in a VM, or from a host no profile describes", () => {
    const cal = loadCalibration("kvm-2vcpu-amd-epyc");
    expect(calibrationVmExitNs(loadCalibration("literature"))).toBeUndefined();
    expect(calibrationVmExitNs({ ...cal, hostClass: "kvm-64vcpu-somewhere" })).toBeUndefined();
  });
});
