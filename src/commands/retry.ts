// `workerman-app retry --group G`: starts now the processes of a group that wait in backoff (a crash loop you fixed).
import { adminRequest } from "../admin/client.ts";
import { AppError } from "../errors.ts";

export async function retryCommand(configPath: string, group: string | undefined): Promise<number> {
  if (!group) throw new AppError("E_USAGE", "retry needs --group G (the group whose waiting processes should start now)");
  const result = await adminRequest<{ group: string; slots: number }>(configPath, `/api/groups/${encodeURIComponent(group)}/retry`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  console.log(result.slots ? `${group}: ${result.slots} waiting process(es) started now` : `${group}: no process was waiting in backoff`);
  return 0;
}
