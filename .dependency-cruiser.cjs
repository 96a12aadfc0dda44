/**
 * The layers of src/ (see src/README.md): engine -> accounting, hardware -> kernel -> agent -> node -> queries / validation /
 * calibration / measure / charts -> cli; models/ is data, read by every layer through src/models/;
 * src/errors.ts is the lowest layer. `npm test` runs this check first: an import the wrong way fails.
 * Type-only imports count too (a type is part of what a layer knows).
 */
const layer = (name, mayImport) => ({
  name: `${name}-imports-only-${mayImport.join("-") || "itself"}`,
  comment: `src/${name}/ may import only ${["itself", ...mayImport].join(", ")}`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: "^src/", pathNot: [`^src/${name}/`, ...mayImport.map((m) => (m.endsWith(".ts") ? `^src/${m}$` : `^src/${m}/`))] },
});

module.exports = {
  forbidden: [
    layer("engine", ["errors.ts"]),
    layer("models", ["errors.ts"]),
    layer("accounting", ["engine", "models", "errors.ts"]),
    layer("hardware", ["engine", "models", "errors.ts"]),
    layer("kernel", ["engine", "models", "accounting", "hardware", "errors.ts"]),
    layer("agent", ["engine", "models", "accounting", "hardware", "kernel", "errors.ts"]),
    layer("node", ["engine", "models", "accounting", "hardware", "kernel", "agent", "errors.ts"]),
    layer("charts", ["engine", "node", "models", "errors.ts"]),
    layer("measure", ["engine", "models", "errors.ts"]),
    layer("calibration", ["engine", "models", "accounting", "hardware", "kernel", "agent", "node", "measure", "errors.ts"]),
    layer("queries", ["engine", "models", "accounting", "hardware", "kernel", "agent", "node", "charts", "validation", "errors.ts"]),
    layer("validation", ["engine", "models", "accounting", "hardware", "kernel", "agent", "node", "charts", "measure", "calibration", "errors.ts"]),
    {
      name: "no-circular",
      severity: "error",
      comment: "no import cycles anywhere in src/",
      from: { path: "^src/" },
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "node_modules" },
  },
};
