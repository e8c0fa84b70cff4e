import { publicEventTypes, type KnownEventType } from '@showwire/protocol';

/** When each known event fires and who sends it: the catalog's prose beside the schemas. */
export const EVENT_GUIDE: Record<KnownEventType, { when: string; from: string }> = {
  transcript: { when: 'The host or the agent said something: interim text as it is recognised, then the final line (same itemId).', from: 'the voice agent' },
  agent_speech_started: { when: 'The agent starts speaking a reply.', from: 'the voice agent' },
  agent_speech_finished: { when: 'The agent stops speaking; interrupted when the host cut in.', from: 'the voice agent' },
  agent_state: { when: 'The agent moves between initializing, idle, listening, thinking and speaking.', from: 'the voice agent' },
  user_state: { when: 'The host starts or stops speaking, or goes away.', from: 'the voice agent' },
  agent_ready: { when: 'The agent joined the room and listens.', from: 'the voice agent' },
  agent_waiting: { when: 'The agent was dispatched, joined the room and waits for its host to arrive (present, not missing).', from: 'the voice agent' },
  agent_error: { when: 'Something failed in the agent; recoverable: false means it cannot go on (raises agent_error).', from: 'the voice agent' },
  tool_call: { when: 'The agent called one of its tools (create a product, add it to the show…), with its output and duration.', from: 'the voice agent' },
  product_created: { when: 'A product was created for the show (by voice or by the shop).', from: 'the voice agent, or a service' },
  product_added_to_show: { when: 'A product was put on the show’s carousel.', from: 'the voice agent, or a service' },
  show_started: { when: 'The show went live (its first event also starts it).', from: 'the hub (LiveKit room started), the agent, or a service' },
  show_ended: { when: 'The show ended: the room closed or the host ended it.', from: 'the hub (LiveKit room finished), the agent, or a service' },
  show_metadata: { when: 'The title or thumbnail changed.', from: 'the hub (room metadata), or a service' },
  viewer_joined: { when: 'A viewer joined; viewers is the count after.', from: 'the hub (LiveKit participant joined)' },
  viewer_left: { when: 'A viewer left; viewers is the count after.', from: 'the hub (LiveKit participant left)' },
  metrics: { when: 'The agent’s raw usage and model metrics, as LiveKit Agents reports them.', from: 'the voice agent' },
  turn_metrics: { when: 'Once per conversational turn: end of utterance, STT, LLM first token, TTS first byte, end to end.', from: 'the voice agent' },
  agent_session_closed: { when: 'The agent’s session ended (reason); agent_missing follows if none comes back.', from: 'the voice agent' },
  alert_raised: { when: 'An alert rule’s condition started to hold (once per condition).', from: 'the hub' },
  alert_resolved: { when: 'That condition cleared.', from: 'the hub' },
  alert_acknowledged: { when: 'Someone acknowledged an open alert (POST …/alerts/:alertId/ack).', from: 'the hub, for whoever acknowledged' },
  control: { when: 'Every control call (say, pause, resume, end agent, re-dispatch, end show) with its outcome: the audit trail.', from: 'the hub, for whoever called' },
  cart_event: { when: 'A viewer added a product to their cart or removed it; an add reserves the quantity.', from: 'a viewer (its own cart), or a service' },
  order_placed: { when: 'An order was placed; it settles the reservations.', from: 'a service (the shop)' },
  show_summary: { when: 'Within seconds of show_ended: the show’s figures (viewers, cart, orders, agent, alerts).', from: 'the hub' },
  audio_level: { when: 'Every few seconds while a live session relays the room: the host’s audio level.', from: 'the hub (live session)' },
  recording_ready: { when: 'A live session’s recording was closed and can be downloaded.', from: 'the hub (live session)' },
  config_changed: { when: 'An admin changed the hub’s LiveKit settings or recording directory (PUT /api/config); names what changed, never a value.', from: 'the hub' },
};

const PUBLIC: ReadonlySet<string> = new Set(publicEventTypes);

/** Who may read a type on SSE and in history (the hub's auth/visibility rules); webhooks carry every type an endpoint subscribes to. */
export const readersOf = (type: string): string =>
  PUBLIC.has(type) ? 'admin, staff, the show’s host, and its viewers' : 'admin, staff and the show’s host (not viewers)';
