import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/models/paths.ts";
import { buildReport } from "../../src/validation/report.ts";

const dir = join(PACKAGE_ROOT, "validation");
const STALE = "validation/REPORT.md or its charts are stale: run npm run validate";

describe("validation/REPORT.md", () => {
  it("equals what the model, the datasets and the seed give today (byte for byte, SVGs included)", async () => {
    const r = await buildReport();
    const committed = existsSync(join(dir, "REPORT.md")) ? readFileSync(join(dir, "REPORT.md"), "utf8") : "";
    expect(r.markdown === committed, STALE).toBe(true);
    for (const [name, text] of Object.entries(r.files)) {
      const p = join(dir, name);
      expect(existsSync(p) && readFileSync(p, "utf8") === text, `${STALE} (${name})`).toBe(true);
    }
    for (const [name, svg] of Object.entries(r.charts)) {
      const p = join(dir, "charts", name);
      expect(existsSync(p) && readFileSync(p, "utf8") === svg, `${STALE} (${name})`).toBe(true);
    }
  }, 900_000);
});
