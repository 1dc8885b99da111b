// The ending every bench entry shares: run main, exit 0, or print the error's message and exit 1.
// Exiting runs lib/processes.ts's exit hook: every process group still alive is killed, temporary files removed.
export async function runMain(main: () => Promise<void>): Promise<never> {
  try {
    await main();
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
