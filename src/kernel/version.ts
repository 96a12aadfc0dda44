/**
 * Kernel versions as the mechanism files compare them: "major.minor" (a patch level or a
 * distribution suffix is ignored, "5.15.0-1075-azure" reads as 5.15). Each mechanism that changed
 * between versions names the commit and the first release that carries it, and asks `atLeast`.
 */

export interface KernelVersion {
  major: number;
  minor: number;
  /** As given, for messages. */
  text: string;
}

/** Parses "5.15", "6.8.0-1021-azure", "6.18.44"; returns null when it is not a version. */
export function parseKernel(text: string): KernelVersion | null {
  const m = /^(\d{1,2})\.(\d{1,3})(?:[.\-+~].*)?$/.exec(text.trim());
  if (m === null) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 2 || major > 99) return null;
  return { major, minor, text };
}

/** True when `v` is release `major.minor` or later. */
export function atLeast(v: KernelVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}
