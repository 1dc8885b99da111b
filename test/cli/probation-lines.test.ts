// What reload and status print about a probation: running until when, and a rollback during it with the reason.
import { describe, expect, test } from "bun:test";
import type { ReloadGroup, ReloadRecord, StatusProcess } from "../../src/admin/contract.ts";
import { groupLine } from "../../src/commands/reload.ts";
import { renderStatus } from "../../src/commands/status.ts";
import { NOTHING_REPORTED } from "../../src/master/status.ts";

const group = (over: Partial<ReloadGroup>): ReloadGroup => ({ name: "web", change: "unchanged", keys: [], phase: "probation", replaced: 2, count: 2, ...over });
const row = (over: Partial<StatusProcess>): StatusProcess => ({
  pid: 1,
  group: "web",
  index: 0,
  generation: 1,
  state: "parked",
  startedAt: Date.now(),
  restarts: 0,
  ...NOTHING_REPORTED,
  ...over,
});

function statusWith(lastReload: ReloadRecord): string {
  const master = { pid: 9, version: "0", startedAt: Date.now(), configPath: "/x", name: "x", tcpMigrateReq: 1 };
  return renderStatus({ master, groups: [], processes: [row({}), row({ pid: 2, generation: 2, state: "ready" })], lastReload } as never);
}

const record = (g: ReloadGroup, state: ReloadRecord["state"]): ReloadRecord => ({
  id: 2,
  generation: 2,
  state,
  graceful: false,
  startedAt: 0,
  groups: [g],
  needsRestart: [],
});

describe("probation in the CLI", () => {
  test("reload: the group line says the old processes stay parked, until when and for how long", () => {
    const until = Date.now() + 30_000;
    const line = groupLine(group({ probation: { until, parked: 2, lost: 0 } }));
    expect(line).toStartWith("web: 2 replaced; probation runs until ");
    expect(line).toContain(`${new Date(until).toLocaleTimeString()} (30 s): the old processes stay parked and take over again if a new one exits`);
  });

  test("status: a parked row shows its state, and a line says the probation runs", () => {
    const text = statusWith(record(group({ probation: { until: Date.now() + 10_000, parked: 1, lost: 0 } }), "done"));
    expect(text.split("\n").find((line) => line.startsWith("1 "))).toContain(" parked ");
    expect(text).toContain("web: generation 2 replaced; probation runs until");
  });

  test("status: a rollback during probation says so, with the reason; a passed one says nothing more", () => {
    const reason = { kind: "exit" as const, text: "exited with code 5 4.0 s after it was ready, during probation", message: "" };
    const rolledBack = group({ phase: "rolled-back", replaced: 0, reason, probation: { until: 0, parked: 2, lost: 0, outcome: "rolled-back" } });
    expect(statusWith(record(rolledBack, "rolled-back"))).toContain(
      "web: generation 2 rolled back during probation, the parked processes serve again: exited with code 5 4.0 s after it was ready, during probation",
    );
    const passed = group({ phase: "replaced", probation: { until: 0, parked: 2, lost: 0, outcome: "passed" } });
    expect(statusWith(record(passed, "done"))).not.toContain("probation");
  });
});
