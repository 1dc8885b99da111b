// The default branch of a switch over a union: a type error when a new member is not handled, a throw if one arrives anyway.
export function assertNever(value: never, what = "message"): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
