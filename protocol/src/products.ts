import { z } from 'zod';
import { productSchema } from './events.js';

/**
 * Bodies of the agent's product tools on the hub: `POST /api/shows/:show/products` and
 * `POST /api/shows/:show/carousel`. The product fields are the event schema's own, so what the
 * hub accepts here is exactly what `product_created` carries.
 */
const { name, price, currency, description, imageUrl } = productSchema.shape;

/** `POST /api/shows/:show/products` body; the hub gives the product its id. */
export const createProductBody = z.object({ name, price, currency, description, imageUrl });
export type CreateProductBody = z.input<typeof createProductBody>;

/** `POST /api/shows/:show/products` answer (201): the stored product and the id of its `product_created` event. */
export const createProductResponse = z.object({ product: productSchema, eventId: z.string() });
export type CreateProductResponse = z.infer<typeof createProductResponse>;

/** `POST /api/shows/:show/carousel` body. */
export const addToCarouselBody = z.object({ productId: productSchema.shape.id });
export type AddToCarouselBody = z.input<typeof addToCarouselBody>;

/** `POST /api/shows/:show/carousel` answer (201): the carousel after the add, and the event's id. */
export const addToCarouselResponse = z.object({ productId: z.string(), carousel: z.array(z.string()), eventId: z.string() });
export type AddToCarouselResponse = z.infer<typeof addToCarouselResponse>;
