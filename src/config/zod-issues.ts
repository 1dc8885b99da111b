// Turns zod issues into problems that name the JSON field and say the fix, with key suggestions.
import type { z } from "zod";
import { didYouMean } from "./suggest.ts";
import { formatField, type ConfigProblems } from "./problems.ts";

type Issue = z.core.$ZodIssue;

/** Add one problem per issue (and per unknown key) to `problems`; `schema` is where known keys are looked up. */
export function addZodIssues(issues: readonly Issue[], schema: z.ZodType, problems: ConfigProblems): void {
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, known) || (known.length > 0 ? ` (allowed: ${known.join(", ")})` : "");
        problems.add(formatField([...issue.path, key]), `unknown key${hint}`);
      }
      continue;
    }
    problems.add(formatField(issue.path) || undefined, issueMessage(issue));
  }
}

function issueMessage(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_type") {
    if (input === undefined) return "required: this key is missing";
    if (issue.path.length === 0) {
      return `the file must hold one JSON object ({ "name": ..., "workers": [...] }), got ${describe(input)}`;
    }
    if (issue.message.startsWith("Invalid input")) return `expected ${article(issue.expected)}, got ${describe(input)}`;
  }
  if (issue.code === "invalid_union") {
    const expected = issue.errors.flat().flatMap((e) => (e.code === "invalid_type" ? [e.expected] : []));
    return `expected ${[...new Set(expected)].map(article).join(" or ") || "another value"}, got ${describe(input)}`;
  }
  const got = isPrimitive(input) ? ` (got ${describe(input)})` : "";
  return issue.message + got;
}

function article(type: string): string {
  if (type === "object") return "an object";
  if (type === "array") return "a list";
  if (type === "int") return "a whole number";
  return `a ${type}`;
}

function isPrimitive(value: unknown): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

interface LooseDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
}

/** The keys an object in `schema` accepts at `path`, found by walking objects, lists and optional/default wrappers. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (node === undefined) return [];
    const def = node._zod.def as unknown as LooseDef;
    node = unwrap(def.type === "array" ? def.element : def.shape?.[String(part)]);
  }
  const shape = node ? (node._zod.def as unknown as LooseDef).shape : undefined;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  while (node) {
    const def = node._zod.def as unknown as LooseDef;
    if (!["optional", "default", "prefault", "nullable"].includes(def.type)) break;
    node = def.innerType;
  }
  return node;
}
