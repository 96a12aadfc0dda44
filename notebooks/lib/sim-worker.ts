/**
 * A Web Worker of the notebooks' simulation pool (sim-pool.ts): each message is a WhatIf, each reply
 * its simulateWhatIf result (plain data) or the error's text.
 */
import { simulateWhatIf, type WhatIf } from "./what-if.ts";

const scope = self as unknown as { onmessage: ((e: MessageEvent<{ what: WhatIf; options?: object }>) => void) | null; postMessage: (m: unknown) => void };
scope.onmessage = (e) => {
  try {
    scope.postMessage({ ok: true, result: simulateWhatIf(e.data.what, e.data.options) });
  } catch (err) {
    scope.postMessage({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
