// Defaults the schema fills in that code which runs before the schema (validation-memo.ts) needs too.
export const DEFAULT_DATA_DIR = ".workerman";
