// The error every model loader throws: names the file, the field (as a JSON pointer) and the offending value.
import { UserError } from "../errors.ts";

/** One problem found in a model file or inline profile. */
export interface ModelIssue {
  /** JSON pointer of the field, e.g. `/buffer/pagesPerCpu`; `/` for the whole document. */
  pointer: string;
  /** The offending value; `undefined` when the field is missing. */
  value: unknown;
  /** What is wrong, e.g. "must be a power of two". */
  message: string;
}

/**
 * A model file (or inline profile) that cannot be used. The message is meant for the user as-is:
 * one line per issue, `<label>: <pointer> = <value>: <message>`, never a stack trace.
 */
export class ModelError extends UserError {
  override readonly name = "ModelError";
  /** The file (relative to the package root when inside it) or the inline profile's label. */
  readonly label: string;
  readonly issues: ModelIssue[];

  constructor(label: string, issues: ModelIssue[], summary?: string) {
    super(summary ?? issues.map((i) => formatIssue(label, i)).join("\n"), issues[0] ? `${label}#${issues[0].pointer}` : label, issues[0]?.value);
    this.label = label;
    this.issues = issues;
  }
}

/** Renders a value for a message: JSON, cut to 80 characters; "(missing)" for undefined. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `<label>: <pointer> = <value>: <message>` */
export function formatIssue(label: string, issue: ModelIssue): string {
  return `${label}: ${issue.pointer} = ${formatValue(issue.value)}: ${issue.message}`;
}
