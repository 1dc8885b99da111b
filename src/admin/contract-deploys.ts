// The admin API's shapes for deploys: reload records, failure reasons, a process's last exit (the supervisor's own
// records) and the config history (the store's), re-exported from where they live.
export type {
  FailureReason,
  LastExit,
  LoadErrorReason,
  ProbationInfo,
  ReloadGroup,
  ReloadRecord,
  ReloadState,
  SourceAt,
} from "../master/records.ts";
export type { ConfigVersion, ConfigVersionDetail } from "../store/records.ts";
