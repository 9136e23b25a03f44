import type { ApiDocs } from '@orderly/platform';
import { z } from 'zod';
import { restockBody } from './product-routes.js';

const product = z.strictObject({
  sku: z.string(),
  name: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  available: z.number().int(),
  reserved: z.number().int(),
  sold: z.number().int(),
});

/** The inventory service's OpenAPI description (product-routes.ts). */
export const productApi: ApiDocs = {
  title: 'Orderly inventory',
  description: 'Catalogue, prices and stock.',
  operations: {
    'GET /products': {
      summary: 'The catalogue with stock',
      responses: { 200: { description: 'Every product', schema: z.array(product) } },
    },
    'GET /products/{sku}': { summary: 'A product with its stock', responses: { 200: { description: 'The product', schema: product } } },
    'PUT /products/{sku}/stock': {
      summary: 'Set the available stock (operators)',
      body: restockBody,
      responses: { 200: { description: 'The product after the change', schema: product } },
    },
  },
};
