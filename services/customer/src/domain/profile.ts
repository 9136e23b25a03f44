import { z } from 'zod';

/** What a customer may say about themselves. Ids are the store's customer ids (the orders carry them). */
export const customerIdSchema = z.string().trim().min(1).max(128);
const email = z.email('must be an email address').max(320);
const name = z.string().trim().min(1).max(200);
const phone = z.string().regex(/^\+?[0-9][0-9 ()-]{2,31}$/, 'must be a phone number (digits, spaces, +, -, parentheses)');

/** PUT /customers/:id: the whole profile; what is left out is cleared. */
export const profileSchema = z.strictObject({ email, name: name.optional(), phone: phone.optional() });
/** POST /customers: a new profile; the id is chosen by the service when not given. */
export const newCustomerSchema = profileSchema.extend({ customerId: customerIdSchema.optional() });

export type Profile = z.infer<typeof profileSchema>;
export type NewCustomer = z.infer<typeof newCustomerSchema>;
