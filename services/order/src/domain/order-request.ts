import { createHash } from 'node:crypto';
import { z } from 'zod';

export const maxLines = 50;

/** What a client may send to POST /orders; anything else is a 400 naming the field. */
export const placeOrderSchema = z.strictObject({
  customerId: z.string().trim().min(1, 'must not be empty').max(64),
  email: z.email('must be a valid email address').max(254),
  items: z
    .array(
      z.strictObject({
        sku: z.string().trim().min(1, 'must not be empty').max(64),
        qty: z.number().int('must be a whole number').positive('must be at least 1').max(1000),
      }),
    )
    .min(1, 'must have at least one line')
    .max(maxLines, `must have at most ${maxLines} lines`),
  paymentMethod: z.string().min(1).max(64).optional(),
});
export type PlaceOrder = z.infer<typeof placeOrderSchema>;

/** What the body of POST /orders may hold: a customer's token supplies customerId and email, an operator names them. */
export const placeOrderBody = placeOrderSchema.partial({ customerId: true, email: true });

export const idempotencyKeySchema = z.string().min(1).max(255);

/** Stable fingerprint of a request, to tell "the same request again" from "another request, same key". */
export function requestHash(request: PlaceOrder): string {
  const canonical = [request.customerId, request.email, request.paymentMethod ?? null, request.items.map((i) => [i.sku, i.qty])];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
