/**
 * Everything the bench starts or creates registers how to undo it here; `runCleanup` undoes it in
 * reverse order, once, on normal exit, on failure and on Ctrl-C / SIGTERM.
 */

type Undo = { name: string; run: () => Promise<void> | void; sync?: () => void };
const undos: Undo[] = [];
let running: Promise<void> | undefined;

/** Registers an undo step; `sync` is the last-resort version run from process 'exit'. */
export function onCleanup(name: string, run: Undo['run'], sync?: () => void): () => void {
  const undo = { name, run, ...(sync ? { sync } : {}) };
  undos.push(undo);
  return () => {
    const i = undos.indexOf(undo);
    if (i >= 0) undos.splice(i, 1);
  };
}

export function runCleanup(): Promise<void> {
  running ??= (async () => {
    while (undos.length) {
      const undo = undos.pop() as Undo;
      try {
        await undo.run();
      } catch (err) {
        console.error(`clean-up "${undo.name}" failed: ${(err as Error).message}`);
      }
    }
  })();
  return running;
}

/** Ctrl-C / SIGTERM: clean up and exit with 130 / 143; a second Ctrl-C exits at once. */
export function installSignalHandlers(onSignal: () => void = () => {}): void {
  let interrupted = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (interrupted) {
        process.exit(code);
      }
      interrupted = true;
      onSignal();
      process.stderr.write(`\n▸ ${signal}: stopping what the bench started…\n`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const undo of undos.splice(0).reverse()) {
      try {
        undo.sync?.();
      } catch {
        // best effort at exit
      }
    }
  });
}
