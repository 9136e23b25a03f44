import amqp, { type ChannelModel } from 'amqplib';

/**
 * A short-lived broker connection for a tool (the chaos harness, test helpers): when the broker
 * goes away mid-operation (a fault the chaos run injects itself), the failure reaches the caller
 * through the operation's promise. amqplib also emits it as an 'error' event, which with no
 * listener ends the whole process, so the tool's run would die with the broker it was testing.
 */
export async function toolConnection(url: string, socketOptions?: Parameters<typeof amqp.connect>[1]): Promise<ChannelModel> {
  const conn = await amqp.connect(url, socketOptions);
  conn.on('error', () => {});
  return conn;
}
