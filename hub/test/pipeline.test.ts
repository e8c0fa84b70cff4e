import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { tempDir, waitFor } from '@showwire/testkit';
import type { Principal } from '../src/auth/access.js';
import type { AppendedRecord } from '../src/log/event-log.js';
import { openSqliteLog, type SqliteEventLog } from '../src/log/sqlite-log.js';
import type { Consumer } from '../src/pipeline/consumer.js';
import { createPipeline } from '../src/pipeline/pipeline.js';

/** The pipeline over a real SQLite log: consumers in their declared order, derived events after their batch. */
describe('publish pipeline', () => {
  const dir = tempDir();
  let log: SqliteEventLog;
  const calls: string[] = [];
  const agent: Principal = { sub: 'a1', role: 'agent', shows: null };
  const HUB: Principal = { sub: 'rules', role: 'admin', shows: null, hub: true };
  let pipeline: ReturnType<typeof createPipeline>;

  before(() => {
    log = openSqliteLog(join(dir, 'log.db'));
    const named = (name: string, derive?: (r: readonly AppendedRecord[]) => ReturnType<Consumer['apply']>): Consumer => ({
      name,
      apply(records) {
        calls.push(`${name}:${records.map((r) => r.event.type).join(',')}`);
        return derive?.(records);
      },
    });
    pipeline = createPipeline({
      log,
      logger: pino({ level: 'silent' }),
      reached: () => 0,
      consumers: [
        named('registry'),
        // Derives one alert per `trouble`, as the alert engine does.
        named('rules', (records) => records.filter((r) => r.type === 'trouble').map((r) => ({ by: HUB, events: [{ type: 'alert_raised', show: r.show, alertId: `t.${r.id}`, eventId: `alert_raised:t.${r.id}`, rule: 'agent_error', severity: 'critical', message: 'trouble' }] }))),
        named('fan-out'),
      ],
    });
  });
  after(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands every stored batch to the consumers in their declared order, and publishes what they derive after it', async () => {
    const { ids } = await pipeline.publish([{ type: 'note', show: 's' }, { type: 'trouble', show: 's' }], agent);
    // By the time the append answers (SQLite), every consumer heard the batch, in order.
    assert.deepEqual(calls.splice(0, 3), ['registry:note,trouble', 'rules:note,trouble', 'fan-out:note,trouble']);
    await waitFor('the derived alert', async () => (await log.read({ limit: 10 })).length === 3, 5000);
    const stored = await log.read({ limit: 10 });
    assert.deepEqual(stored.map((r) => r.id).slice(0, 2), ids);
    const alert = JSON.parse(stored[2]!.json) as Record<string, unknown>;
    assert.equal(alert.type, 'alert_raised');
    assert.equal(alert.source, 'admin:rules', 'written as the hub producer that derived it');
    assert.equal(alert.alertId, `t.${ids[1]}`);
    // The derived batch went through the same consumers.
    assert.deepEqual(calls.splice(0), ['registry:alert_raised', 'rules:alert_raised', 'fan-out:alert_raised']);
  });

  it('refuses a hub-only type or a reserved eventId to a token before anything is stored', async () => {
    const before = (await log.read({ limit: 100 })).length;
    await assert.rejects(pipeline.publish([{ type: 'note', show: 's' }, { type: 'control', show: 's', action: 'pause', by: 'x', ok: true }], agent), /"control" is written by the hub itself/);
    await assert.rejects(pipeline.publish([{ type: 'note', show: 's', eventId: 'summary:1' }], { ...agent, role: 'admin' }), /namespace the hub keeps/);
    assert.equal((await log.read({ limit: 100 })).length, before);
    assert.deepEqual(calls, []);
  });
});
