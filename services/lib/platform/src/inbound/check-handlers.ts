import { consumerQueues, isMessageType } from '@orderly/events';
import type { Handlers } from './handlers.js';

/**
 * Fails the start when the topology binds a type to one of the service's queues that no handler
 * takes: such messages would only ever be dead-lettered.
 */
export function checkHandlers(service: string, mode: Parameters<typeof consumerQueues>[0], consumers: Record<string, Handlers>): void {
  const problems: string[] = [];
  for (const { queue, subscriptions } of consumerQueues(mode).filter((q) => q.service === service)) {
    const handlers = consumers[queue];
    if (!handlers) {
      problems.push(`queue ${queue} has no handlers`);
      continue;
    }
    if (handlers['*']) continue;
    for (const { routingKey } of subscriptions) {
      if (routingKey !== '' && !(isMessageType(routingKey) && handlers[routingKey]))
        problems.push(`${queue} is bound to ${routingKey} but has no handler for it`);
    }
  }
  for (const queue of Object.keys(consumers)) {
    if (!consumerQueues(mode).some((q) => q.queue === queue && q.service === service))
      problems.push(`${queue} is not a queue of ${service}`);
  }
  if (problems.length > 0) throw new Error(`${service} (${mode}): ${problems.join('; ')}`);
}
