// The channel's fixed bounds on what a handler may name and hold: name and uid lengths, groups per connection.
import { AppError } from "../errors.ts";

/** Group names, topics and uids: longer ones are refused (Redis keys and the master's tables are built from them). */
export const MAX_NAME_BYTES = 256;
/** Groups one connection may be in at once. */
export const MAX_GROUPS_PER_CONNECTION = 1024;
/** A history read (recover, groupHistory) is answered in pages of at most this much data, so its memory is bounded whatever the gap. */
export const HISTORY_PAGE_BYTES = 1024 * 1024;
/** ... and at most this many messages. */
export const HISTORY_PAGE_MESSAGES = 1000;

/** Throws E_LIMIT when `name` is over MAX_NAME_BYTES (as UTF-8). */
export function checkNameLength(kind: string, name: string): string {
  // Every character is at least one byte: a long string is refused without measuring all of it.
  if (name.length <= MAX_NAME_BYTES && Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const size = name.length > MAX_NAME_BYTES ? `${name.length} characters` : `${Buffer.byteLength(name)} bytes`;
  const what = kind === "uid" ? "a uid" : `a ${kind} name`;
  throw new AppError("E_LIMIT", `channel: ${what} of ${size} is over the limit of ${MAX_NAME_BYTES} bytes`, { field: kind });
}

export function checkGroupCount(count: number, group: string): void {
  if (count < MAX_GROUPS_PER_CONNECTION) return;
  const shown = group.length > 40 ? `${group.slice(0, 40)}...` : group;
  throw new AppError(
    "E_LIMIT",
    `channel: joinGroup("${shown}"): the connection is already in ${MAX_GROUPS_PER_CONNECTION} groups, the limit per connection (leave one first)`,
    { field: "group" },
  );
}
