/** @jsxImportSource preact */
// The "group" filter the list views share: all, any extra choices (the master's own lines), then the app's groups.
import { status } from "../state.ts";

export interface GroupSelectProps {
  value: string;
  onPick: (group: string) => void;
  /** Choices before the groups, e.g. "master" for the log. */
  extra?: string[];
  /** The select's data-filter name, for tests and scripts. */
  filter?: string;
}

export function GroupSelect({ value, onPick, extra = [], filter }: GroupSelectProps) {
  return (
    <label>
      group
      <select data-filter={filter} value={value} onChange={(e) => onPick(e.currentTarget.value)}>
        <option value="">all</option>
        {extra.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
        {status.value?.groups.map((g) => (
          <option key={g.name}>{g.name}</option>
        ))}
      </select>
    </label>
  );
}
