import { createServer } from 'node:net';
import test from 'ava';
import { ephemeralPorts, freePort } from '../src/process.js';

/**
 * A chaos run's service failed to start with EADDRINUSE on the port it had been given: the port
 * came from the kernel's ephemeral range, and an outgoing connection took it in between.
 */
test('when a free port is asked for, then it is outside the kernel ephemeral range and a server can listen on it', async (t) => {
  const { low } = ephemeralPorts();
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    t.true(port < low, `${port} is below ${low}`);
    const server = createServer().listen(port);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    await new Promise((r) => server.close(r));
  }
});
