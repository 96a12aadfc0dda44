// models/sweeps/k8s-indexed-job.yaml and models/sweeps/Containerfile: what a user needs to run a sweep on a
// cluster. The manifest is validated against the Kubernetes API schema offline (the npm package
// `kubernetes-models`, parsed with `yaml`); without those packages that part is skipped, saying so. The
// collection and merge commands it documents are checked against the README and run locally on shards
// written the way the Job writes them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";

const MANIFEST = join(PACKAGE_ROOT, "models", "sweeps", "k8s-indexed-job.yaml");
const CONTAINERFILE = join(PACKAGE_ROOT, "models", "sweeps", "Containerfile");
const README = join(PACKAGE_ROOT, "src", "queries", "README.md");
const text = readFileSync(MANIFEST, "utf8");

// a variable specifier: resolved at run time, so a missing package is a skip, not a transform error
const load = (m: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ m);
const schemaPackages = await Promise.all([load("yaml"), load("kubernetes-models/batch/v1/Job")]).then(
  () => true,
  () => false,
);
const why = "skipped: the npm packages `yaml` and `kubernetes-models` (Kubernetes API schemas, offline) are not installed";

describe("Kubernetes Indexed Job manifest", () => {
  it.skipIf(!schemaPackages)(`every document validates against the Kubernetes API schema${schemaPackages ? "" : ` (${why})`}`, async () => {
    const YAML = (await load("yaml")) as unknown as { parseAllDocuments(t: string): { toJS(): any }[] };
    const docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
    const kinds = docs.map((d) => `${d.apiVersion} ${d.kind}`);
    expect(kinds).toEqual(["v1 PersistentVolumeClaim", "batch/v1 Job", "v1 Pod"]);
    const models: Record<string, string> = {
      "v1 PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
      "batch/v1 Job": "kubernetes-models/batch/v1/Job",
      "v1 Pod": "kubernetes-models/v1/Pod",
    };
    for (const d of docs) {
      const mod = await load(models[`${d.apiVersion} ${d.kind}`]);
      const Model = Object.values(mod).find((v) => typeof v === "function") as new (x: unknown) => { validate(): void };
      expect(() => new Model(d).validate(), `${d.kind} ${d.metadata.name}`).not.toThrow();
    }
    const job = docs[1];
    // an Indexed Job whose SHARDS is its completions, writing its shard to the volume the collector serves
    expect(job.spec.completionMode).toBe("Indexed");
    const env = job.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "SHARDS");
    expect(Number(env.value)).toBe(job.spec.completions);
    const claim = docs[0].metadata.name;
    expect(job.spec.template.spec.volumes.some((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === claim)).toBe(
      true,
    );
    expect(docs[2].spec.volumes[0].persistentVolumeClaim.claimName).toBe(claim);
  });

  it("collects shards in full: from the volume, or from each pod's whole log (never `kubectl logs job/... --selector`, never the 10-line default)", () => {
    expect(text).toMatch(/--out \/results\/\.shard-\$JOB_COMPLETION_INDEX\.jsonl\.tmp/);
    expect(text).toMatch(/kubectl cp bpfsim-results:\/results \.\/results/);
    expect(text).not.toMatch(/kubectl logs job\/\S+ .*--selector/);
    for (const line of text.split("\n").filter((l) => /kubectl logs -l job-name/.test(l))) expect(line).toMatch(/--tail=-1/);
    expect(text).toMatch(/bpfsim merge results\/shard-\*\.jsonl --out all\.jsonl/);
  });

  it("the README gives the same collection and merge commands, and the image build from the npm pack tarball", () => {
    const readme = readFileSync(README, "utf8");
    for (const cmd of [
      "kubectl cp bpfsim-results:/results ./results",
      "bpfsim merge results/shard-*.jsonl --out all.jsonl",
      "npm pack",
      "models/sweeps/Containerfile",
    ]) {
      expect(readme).toContain(cmd);
    }
    const cf = readFileSync(CONTAINERFILE, "utf8");
    expect(cf).toMatch(/^FROM docker\.io\/library\/node:20/m);
    expect(cf).toMatch(/npm install --global --omit=dev \/tmp\/bpfsim\.tgz/);
    const version = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;
    expect(cf).toContain(`bpfsim-${version}.tgz`);
  });

  it("shards written as the Job writes them merge back into the whole grid (the documented merge command)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bpfsim-k8s-"));
    const grid = join(dir, "grid.json");
    writeFileSync(
      grid,
      JSON.stringify({
        hardware: ["azure-d4s-v5"],
        tool: ["retina-perf", "retina-ringbuf"],
        trafficGbps: [1, 2],
        options: { replications: 1, durationS: 0.03 },
      }),
    );
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ["--import", "tsx", join(PACKAGE_ROOT, "src", "cli", "main.ts"), ...args], { cwd: PACKAGE_ROOT, encoding: "utf8" });
    for (const i of [0, 1]) cli("sweep", "--grid", grid, "--shard", `${i}/2`, "--workers", "1", "--out", join(dir, `shard-${i}.jsonl`));
    cli("merge", join(dir, "shard-0.jsonl"), join(dir, "shard-1.jsonl"), "--out", join(dir, "all.jsonl"));
    const lines = readFileSync(join(dir, "all.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3]);
  }, 120_000);
});
