/** One progress line, rewritten in place on a terminal (plain lines every few seconds otherwise). */

let last = 0;
let silenced = false;
/** No more progress lines (the run is being stopped). */
export function silenceProgress(): void {
  silenced = true;
}

export function progress(text: string): void {
  if (silenced) return;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${text}`);
  } else if (Date.now() - last > 5000) {
    last = Date.now();
    process.stderr.write(`${text}\n`);
  }
}

export function progressDone(text?: string): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  if (text) process.stderr.write(`${text}\n`);
  last = 0;
}
