// Parses argv into a command and its options; knows nothing of what the commands do.
import { AppError } from "./errors.ts";
import { didYouMean } from "./config/suggest.ts";

export interface CliArgs {
  command: string;
  config: string;
  graceful: boolean;
  json: boolean;
  daemon: boolean;
  group?: string;
  /** push: the target uid, or every connection. */
  uid?: string;
  all: boolean;
  /** push --group: keep the message in the group's history (publishToGroup). */
  keep: boolean;
  /** push --all: only the clients of this worker group. */
  workerGroup?: string;
  /** restart: replace just this worker process. logs: only its lines. */
  process?: number;
  /** logs: only this pid's lines. */
  pid?: number;
  /** logs: how many lines (default 50). */
  lines?: number;
  /** logs: keep printing new lines. */
  follow: boolean;
  /** service: the unit's User=. */
  user?: string;
  /** reload: follow it to its end (false with --no-wait). */
  wait: boolean;
  /** status, reload: every instance joined by cluster.redis. */
  cluster: boolean;
  /** reload --cluster: the instances in this order (hosts or instance ids, comma-separated). */
  order?: string;
  rest: string[];
}

export const COMMANDS = [
  "start",
  "stop",
  "restart",
  "reload",
  "diff",
  "retry",
  "status",
  "connections",
  "logs",
  "push",
  "check",
  "schema",
  "init",
  "service",
  "help",
  "version",
];

type Flag = "graceful" | "json" | "daemon" | "all" | "keep" | "follow" | "noWait" | "cluster";
type Valued = "config" | "group" | "uid" | "workerGroup" | "user" | "order";
type Numeric = "process" | "pid" | "lines";

/** Every option: its spellings and where it lands. `--name=value` works for every option that takes a value. */
const OPTIONS: { names: string[]; flag?: Flag; value?: Valued; number?: Numeric }[] = [
  { names: ["--config", "-c"], value: "config" },
  { names: ["--group"], value: "group" },
  { names: ["--uid"], value: "uid" },
  { names: ["--worker-group"], value: "workerGroup" },
  { names: ["--user"], value: "user" },
  { names: ["--process"], number: "process" },
  { names: ["--pid"], number: "pid" },
  { names: ["--lines", "-n"], number: "lines" },
  { names: ["--all"], flag: "all" },
  { names: ["--keep"], flag: "keep" },
  { names: ["--follow", "-f"], flag: "follow" },
  { names: ["--graceful", "-g"], flag: "graceful" },
  { names: ["--daemon", "-d"], flag: "daemon" },
  { names: ["--json"], flag: "json" },
  { names: ["--no-wait"], flag: "noWait" },
  { names: ["--cluster"], flag: "cluster" },
  { names: ["--order"], value: "order" },
];
const OPTION_NAMES = [...OPTIONS.flatMap((o) => o.names), "--help", "-h", "--version", "-v"];

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = {
    command: "start",
    config: "app.json",
    graceful: false,
    json: false,
    daemon: false,
    all: false,
    keep: false,
    follow: false,
    wait: true,
    cluster: false,
    rest: [],
  };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") args.command = "help";
    else if (arg === "--version" || arg === "-v") args.command = "version";
    else if (arg.startsWith("-") && arg !== "-") i = readOption(argv, i, args);
    else if (!commandSeen) {
      if (!COMMANDS.includes(arg)) {
        throw new AppError("E_USAGE", `unknown command "${arg}"${didYouMean(arg, COMMANDS)} (expected one of: ${COMMANDS.join(", ")})`);
      }
      commandSeen = true;
      if (args.command !== "help" && args.command !== "version") args.command = arg;
    } else args.rest.push(arg);
  }
  return args;
}

/** Reads the option at argv[i] (and its value); returns the index of the last argument it consumed. */
function readOption(argv: string[], i: number, args: CliArgs): number {
  const arg = argv[i]!;
  const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
  const name = eq === -1 ? arg : arg.slice(0, eq);
  const spec = OPTIONS.find((o) => o.names.includes(name));
  if (!spec) {
    const hint = didYouMean(name, OPTION_NAMES).replace(/"/g, "");
    throw new AppError("E_USAGE", `unknown option ${name}${hint} (see --help)`);
  }
  if (spec.flag) {
    if (eq !== -1) throw new AppError("E_USAGE", `${name} takes no value (write ${name}, not ${arg})`);
    if (spec.flag === "noWait") args.wait = false;
    else args[spec.flag] = true;
    return i;
  }
  let value: string | undefined;
  if (eq !== -1) value = arg.slice(eq + 1);
  else {
    value = argv[i + 1];
    if (value === undefined || (value.startsWith("-") && value !== "-")) throw new AppError("E_USAGE", `${name} needs a value (${name} X or ${name}=X)`);
    i++;
  }
  if (value === "") throw new AppError("E_USAGE", `${name} needs a value (${name} X or ${name}=X)`);
  if (spec.value) args[spec.value] = value;
  else if (spec.number) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new AppError("E_USAGE", `${name} must be a whole number above 0, not "${value}"`);
    args[spec.number] = n;
  }
  return i;
}
