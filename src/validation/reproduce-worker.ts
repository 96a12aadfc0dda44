/**
 * One job of `reproduceParallel` (reproduce.ts) on a piscina worker thread: a family fit or a
 * simulation. The result is plain data, copied back to the caller.
 */
import type { FamilyFit } from "../node/family-fit.ts";
import type { SimulationResult } from "../node/simulate.ts";
import { runFitJob, runSimJob, type FitJob, type SimJob } from "./reproduce.ts";

export default function runJob(job: SimJob | FitJob): SimulationResult | FamilyFit {
  return job.kind === "fit" ? runFitJob(job) : runSimJob(job);
}
