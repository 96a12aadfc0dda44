/**
 * One engine benchmark model in a process of its own (forked by run.ts), so no other model's code
 * shares its V8 type feedback: a model measured after others runs engine code that has seen other
 * callbacks and shapes, which costs up to ~15% and would favour whichever model runs first.
 *
 * argv: the model key and the JSON of the parameters. On start it runs three warm-ups and sends
 * {ready: true}; then each {seed} message runs the model twice and sends back {wallS, out} of the
 * second run. (The first re-warms: while the worker waits for its turn, V8's idle-time memory
 * reducer shrinks the heap, and the first run after a wait pays for growing it again, ~15%. SimPy's
 * rounds likewise drop their first run.)
 */
import { engineModels, timeOnce, type EngineBenchParams } from "./engine.ts";

const [key, params] = process.argv.slice(2);
const p = JSON.parse(params) as EngineBenchParams;
const model = engineModels(p).find((m) => m.key === key);
if (model === undefined) {
  console.error(`engine-worker: unknown model ${key}`);
  process.exit(2);
}
for (let w = 0; w < 3; w++) model.once(p.seed + 1000 + w); // warm-up: V8 needs more than one run to reach its top tier
process.send!({ ready: true });
process.on("message", (msg: { seed?: number; exit?: boolean }) => {
  if (msg.exit) process.exit(0);
  model.once(msg.seed! + 500);
  process.send!(timeOnce(model, msg.seed!));
});
