import { type Envelope, type EventData, type MessageType, messages } from '@orderly/events';
import type { z } from 'zod';
import type { Tx } from '../transaction/transaction.js';

/** The catalog seen per type: each entry a schema of its own type's data (what lets a generic parse be typed). */
const schemas: { readonly [K in MessageType]: z.ZodType<EventData<K>> } = messages;

/** A message of one type as its handler gets it: the envelope, with its data checked against the catalog. */
export type Message<T extends MessageType = MessageType> = {
  [K in T]: Omit<Envelope, 'type' | 'data'> & { type: K; data: EventData<K> };
}[T];

/** Handles one type of message, in the transaction its effects (and the messages it emits) go into. */
export type Handler<T extends MessageType> = (message: Message<T>, tx: Tx) => Promise<void>;

/** Handles every message whatever its type (the audit log). */
export type AnyHandler = (message: Message, tx: Tx) => Promise<void>;

/** A queue's handlers: one per type of message it takes, each typed for its own; '*' takes any other. */
export type Handlers = TypedHandlers & { readonly '*'?: AnyHandler };
type TypedHandlers = { readonly [K in MessageType]?: Handler<K> };

/** The envelope's data checked against the catalog entry of its type; throws when it does not fit. */
export function typedMessage<T extends MessageType>(envelope: Envelope, type: T): Message<T> {
  const data = schemas[type].parse(envelope.data);
  return { ...envelope, type, data };
}

/** The message's handler bound to it, or undefined when the queue takes no message of its type. */
export function handlerFor(handlers: Handlers, message: Message): ((tx: Tx) => Promise<void>) | undefined {
  const all = handlers['*'];
  return bind(handlers, message) ?? (all ? (tx) => all(message, tx) : undefined);
}

// Generic in the type, so that the handler looked up and the message it is given agree.
function bind<T extends MessageType>(handlers: TypedHandlers, message: Message<T>): ((tx: Tx) => Promise<void>) | undefined {
  const handler = handlers[message.type];
  return handler ? (tx) => handler(message, tx) : undefined;
}
