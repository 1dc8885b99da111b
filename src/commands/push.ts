// `workerman-app push (--uid U | --group G [--keep] | --all [--worker-group W]) MESSAGE`: sends a message through the running master's channel.
import type { PushResponse } from "../admin/push-route.ts";
import { adminRequest } from "../admin/client.ts";
import type { CliArgs } from "../cli-args.ts";
import { AppError } from "../errors.ts";

export async function pushCommand(args: CliArgs): Promise<number> {
  if (args.workerGroup !== undefined && !args.all)
    throw new AppError("E_USAGE", '--worker-group limits push --all: push --all --worker-group chat "hello"', { field: "--worker-group" });
  const all = args.workerGroup === undefined ? { all: true } : { all: true, workerGroup: args.workerGroup };
  if (args.keep && args.group === undefined)
    throw new AppError("E_USAGE", '--keep goes with --group (a group\'s history): push --group room1 --keep "hello"', { field: "--keep" });
  const group = args.keep ? { group: args.group, keep: true } : { group: args.group };
  const targets = [args.uid !== undefined && { uid: args.uid }, args.group !== undefined && group, args.all && all].filter(Boolean);
  if (targets.length !== 1)
    throw new AppError("E_USAGE", 'push needs exactly one of --uid U, --group G or --all, then the message: push --group room1 "hello"');
  if (args.rest.length !== 1) throw new AppError("E_USAGE", `push needs one message argument (quote it), got ${args.rest.length}`);
  const result = await adminRequest<PushResponse>(args.config, "/api/push", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ to: targets[0], data: args.rest[0] }),
  });
  const cluster = result.cluster === "off" ? "" : result.cluster === "published" ? ", and to the other hosts" : " (Redis unavailable: other hosts missed it)";
  console.log(`pushed to ${result.processes} local process${result.processes === 1 ? "" : "es"}${cluster}`);
  return 0;
}
