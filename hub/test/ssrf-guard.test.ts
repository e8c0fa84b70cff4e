import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isPrivateAddress } from '../src/webhooks/ssrf-guard.js';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/**
 * The webhook SSRF guard knows every special-purpose range (ipaddr.js), not a hand list: the
 * IPv6 spellings of loopback and metadata addresses that a hand list let through are refused.
 */
describe('webhooks: SSRF guard, IPv6 spellings of private addresses', () => {
  let hub: TestHub;
  let admin: string;
  before(async () => {
    hub = await startHub();
    admin = await hub.token('admin');
  });
  after(() => hub.close());

  const refused: Array<[string, RegExp]> = [
    ['http://[::127.0.0.1]/hook', /range "ipv4Compatible"/], // IPv4-compatible (URL spells it [::7f00:1])
    ['http://[::ffff:0:7f00:1]/hook', /range "rfc6145"/], // SIIT-translated 127.0.0.1
    ['http://[2002:7f00:1::1]/hook', /range "6to4"/], // 6to4 around 127.0.0.1
    ['http://[64:ff9b:1::a9fe:a9fe]/hook', /range "rfc6052"/], // local-use NAT64 of 169.254.169.254
    ['http://[fec0::1]/hook', /range "deprecatedSiteLocal"/],
    ['http://[::ffff:169.254.169.254]/latest', /range "linkLocal"/],
    ['http://[64:ff9b::a9fe:a9fe]/', /range "rfc6052"/],
    ['http://[2001:db8::1]/', /range "reserved"/],
    ['http://[fd12::1]/', /range "uniqueLocal"/],
    ['http://198.18.0.1/', /range "reserved"/],
  ];

  for (const [url, range] of refused) {
    it(`refuses ${url} with 400 naming the range, and stores nothing`, async () => {
      const res = await postJson(`${hub.url}/api/webhooks/endpoints`, { url }, admin);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error, 'webhook_url_refused');
      assert.equal(res.body.issues[0].path, 'url');
      assert.match(res.body.message, /private, loopback or link-local address/);
      assert.match(res.body.message, range);
      assert.deepEqual((await getJson(`${hub.url}/api/webhooks/endpoints`, admin)).body.endpoints, []);
    });
  }

  it('still accepts public IPv4 and IPv6 literals (created, never contacted)', async () => {
    for (const url of ['https://93.184.215.14/hook', 'https://[2606:4700::1111]/hook', 'https://[::ffff:8.8.8.8]/hook']) {
      const res = await postJson(`${hub.url}/api/webhooks/endpoints`, { url, types: ['never_sent'] }, admin);
      assert.equal(res.status, 201, `${url}: ${JSON.stringify(res.body)}`);
    }
  });

  it('the delivery sockets use the same judgement (isPrivateAddress)', () => {
    for (const a of ['::7f00:1', '::ffff:0:7f00:1', '2002:7f00:1::1', '64:ff9b:1::a9fe:a9fe', 'fec0::1', '2001::1', '100::1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });
});
