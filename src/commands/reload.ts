// `workerman-app reload [-g] [--group G]`: asks the running master for a new generation of workers.
import { adminRequest } from "../admin/client.ts";

export async function reloadCommand(configPath: string, graceful: boolean, group?: string): Promise<number> {
  const result = await adminRequest<{ generation: number; groups: string[] }>(configPath, "/api/reload", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ graceful, group }),
  });
  console.log(`reload${graceful ? " (graceful)" : ""} to generation ${result.generation} begun: ${result.groups.join(", ")}`);
  return 0;
}
