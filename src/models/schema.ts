// JSON Schema validation of model profiles: ajv set up with our two custom keywords, and ajv errors turned into ModelIssues.

import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { ModelIssue } from "./errors.ts";
import { PROFILE_KINDS, schemaPath, type ProfileKind } from "./paths.ts";

type KeywordValidator = ((schema: unknown, data: unknown) => boolean) & { errors?: Partial<ErrorObject>[] };

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && Number.isInteger(Math.log2(n));
}

/** `powerOfTwo: true`: an integer that is 1, 2, 4, 8, ... */
const powerOfTwo: KeywordValidator = (schema, data) => {
  if (schema !== true || typeof data !== "number") return true;
  if (isPowerOfTwo(data)) return true;
  powerOfTwo.errors = [{ keyword: "powerOfTwo", message: "must be a power of two", params: {} }];
  return false;
};

/** `exactlyOneOf: [a, b]`: exactly one of the listed properties is present. */
const exactlyOneOf: KeywordValidator = (schema, data) => {
  if (!Array.isArray(schema) || typeof data !== "object" || data === null || Array.isArray(data)) return true;
  const fields = schema as string[];
  const present = fields.filter((f) => f in (data as Record<string, unknown>));
  if (present.length === 1) return true;
  if (present.length === 0) {
    exactlyOneOf.errors = [{ keyword: "exactlyOneOf", message: `one of ${fields.join(", ")} is required`, params: { field: fields[0] } }];
  } else {
    const [first, ...rest] = present;
    exactlyOneOf.errors = rest.map((f) => ({
      keyword: "exactlyOneOf",
      message: `must not be set together with ${first} (they are mutually exclusive)`,
      params: { field: f },
    }));
  }
  return false;
};

function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: "powerOfTwo", schemaType: "boolean", errors: true, validate: powerOfTwo });
  ajv.addKeyword({ keyword: "exactlyOneOf", schemaType: "array", errors: true, validate: exactlyOneOf });
  return ajv;
}

let validators: Map<ProfileKind, ValidateFunction> | undefined;

/** The compiled validator of a kind (all schemas are compiled once, on first use). */
export function validatorFor(kind: ProfileKind): ValidateFunction {
  if (!validators) {
    const ajv = makeAjv();
    validators = new Map();
    for (const k of PROFILE_KINDS) {
      validators.set(k, ajv.compile(JSON.parse(readFileSync(schemaPath(k), "utf8"))));
    }
  }
  return validators.get(kind)!;
}

/** The value at a JSON pointer in a document; undefined when absent. */
export function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "/") return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function child(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/** Turns one ajv error into an issue (undefined for summary errors such as a failed `if`). */
function toIssue(e: ErrorObject, doc: unknown): ModelIssue | undefined {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "if":
      return undefined;
    case "required": {
      const pointer = child(at, String(p.missingProperty));
      return { pointer, value: undefined, message: "is required" };
    }
    case "additionalProperties": {
      const pointer = child(at, String(p.additionalProperty));
      return { pointer, value: valueAt(doc, pointer), message: "is not a known field" };
    }
    case "false schema":
      return { pointer: at || "/", value: valueAt(doc, at), message: "is not allowed here (it belongs to another kind or mode)" };
    case "exactlyOneOf": {
      const pointer = child(at, String(p.field));
      return { pointer, value: valueAt(doc, pointer), message: e.message ?? "invalid" };
    }
    case "enum":
      return {
        pointer: at || "/",
        value: valueAt(doc, at),
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "const":
      return { pointer: at || "/", value: valueAt(doc, at), message: `must be ${JSON.stringify(p.allowedValue)}` };
    default:
      return { pointer: at || "/", value: valueAt(doc, at), message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Schema issues of a document, deduplicated; a `const` issue is dropped where an `enum` issue names the same field. */
export function schemaIssues(kind: ProfileKind, doc: unknown): ModelIssue[] {
  const validate = validatorFor(kind);
  if (validate(doc)) return [];
  const issues: ModelIssue[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  const enumAt = new Set(errors.filter((e) => e.keyword === "enum").map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === "const" && enumAt.has(e.instancePath)) continue;
    const issue = toIssue(e, doc);
    if (!issue) continue;
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
