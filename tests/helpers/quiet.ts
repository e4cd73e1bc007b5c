/** Console output captured, for CLIs run in-process. */

/** Runs `fn` with console output captured. */
export async function quiet<T>(fn: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  const { log, error } = console;
  let stdout = "", stderr = "";
  console.log = (...args: unknown[]) => void (stdout += args.join(" ") + "\n");
  console.error = (...args: unknown[]) => void (stderr += args.join(" ") + "\n");
  try {
    return { result: await fn(), stdout, stderr };
  } finally {
    Object.assign(console, { log, error });
  }
}
