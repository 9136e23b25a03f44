/** Where register.ts leaves the SDK, so a stopping service can flush its last spans. */
export const sdkKey = Symbol.for('orderly.telemetry.sdk');

export async function flushTelemetry(): Promise<void> {
  const sdk = (globalThis as Record<symbol, { shutdown(): Promise<void> } | undefined>)[sdkKey];
  await sdk?.shutdown().catch(() => {});
}
