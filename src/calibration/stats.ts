/** The calibration's robust statistics live in the engine (src/engine/robust-stats.ts); re-exported here for the calibration modules. */
export { mad, median, quantile } from "../engine/robust-stats.ts";
