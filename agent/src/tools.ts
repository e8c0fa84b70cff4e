import { llm } from '@livekit/agents';
import type { AddToCarouselResponse, CreateProductResponse } from '@showwire/protocol';
import { z } from 'zod';
import { HOST_RPC, notifyHost, type HostRpcDeps } from './host-rpc.js';
import { postToHub, type HubClient } from './hub-client.js';

/**
 * The agent's tools: `create_product` and `add_product_to_show` of the live-streaming guide.
 * They call the hub's product endpoints with the agent's token (the hub publishes
 * `product_created` / `product_added_to_show`), publish a `tool_call` event for each run, and
 * tell the host's app by RPC when it is in the room.
 */
export interface ToolDeps extends HostRpcDeps {
  /** The show's hub client: the tools post to the same show, and publish their `tool_call` through it. */
  hub: HubClient;
  token?: string;
}

export function showTools(deps: ToolDeps) {
  const base = deps.hub.showUrl;

  return {
    create_product: llm.tool({
      description: 'Create a product the host describes, so it can be sold in this show. Returns the product with its id.',
      parameters: z.object({
        name: z.string().min(1).describe('Product name, as the host said it'),
        price: z.number().nonnegative().describe('Price in the currency below, e.g. 49.5'),
        currency: z.string().describe('ISO 4217 code such as USD or EUR'),
        description: z.string().optional().describe('Short description, if the host gave one'),
      }),
      execute: (args, { toolCallId }) =>
        instrumented(deps, 'create_product', args, toolCallId, async () => {
          const body = { ...args, currency: args.currency.trim().toUpperCase() };
          const { product } = await callHub<CreateProductResponse>(deps, `${base}/products`, body);
          notifyHost(deps, HOST_RPC.productCreated, { product });
          return { product };
        }),
    }),

    add_product_to_show: llm.tool({
      description: "Put an existing product on this show's carousel so viewers see it. Needs the product id from create_product.",
      parameters: z.object({ product_id: z.string().min(1).describe('The id create_product returned') }),
      execute: (args, { toolCallId }) =>
        instrumented(deps, 'add_product_to_show', args, toolCallId, async () => {
          const answer = await callHub<AddToCarouselResponse>(deps, `${base}/carousel`, { productId: args.product_id });
          notifyHost(deps, HOST_RPC.productAddedToShow, { productId: answer.productId, carousel: answer.carousel });
          return { productId: answer.productId, carousel: answer.carousel };
        }),
    }),
  };
}

/**
 * Runs a tool and publishes its `tool_call`. The hub client is flushed before (what was said
 * before the call is in the log before its effects) and after (the `tool_call` lands before
 * whatever the model does next), so the show's log reads in causal order. A failure goes to the
 * model as a `ToolError`, whose message it may repeat to the host.
 */
async function instrumented<T>(deps: ToolDeps, name: string, args: Record<string, unknown>, callId: string, run: () => Promise<T>): Promise<T> {
  await deps.hub.flush(2_000);
  const started = performance.now();
  let output: unknown;
  let isError = false;
  try {
    output = await run();
    return output as T;
  } catch (error) {
    isError = true;
    output = error instanceof Error ? error.message : String(error);
    throw new llm.ToolError(`${name} failed: ${String(output)}`);
  } finally {
    deps.hub.publish({ type: 'tool_call', name, args, output, isError, durationMs: Math.round(performance.now() - started), callId });
    await deps.hub.flush(2_000);
  }
}

async function callHub<T>(deps: ToolDeps, url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await postToHub(url, body, deps.token, 10_000);
  } catch (error) {
    throw new Error(`the hub could not be reached (${error instanceof Error ? error.message : String(error)})`);
  }
  const answer = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new Error(answer.message ?? `the hub answered ${res.status}`);
  return answer as T;
}
