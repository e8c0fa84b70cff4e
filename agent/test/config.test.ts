import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@showwire/testkit';
import { EXIT_BAD_SETTING, loadAgentConfig } from '../src/config.js';

describe('agent config: the host grace and the job cap', () => {
  const base = { OPENAI_API_KEY: 'test' };

  it('defaults: 120 s of grace, capacity by CPU (no cap); empty values mean unset', () => {
    const c = loadAgentConfig({ ...base, AGENT_HOST_GRACE_S: '', AGENT_MAX_JOBS: '' });
    assert.equal(c.AGENT_HOST_GRACE_S, 120);
    assert.equal(c.AGENT_MAX_JOBS, undefined);
    const set = loadAgentConfig({ ...base, AGENT_HOST_GRACE_S: '7.5', AGENT_MAX_JOBS: '4' });
    assert.equal(set.AGENT_HOST_GRACE_S, 7.5);
    assert.equal(set.AGENT_MAX_JOBS, 4);
  });

  it('a bad value stops the start naming the variable', () => {
    assert.throws(() => loadAgentConfig({ ...base, AGENT_HOST_GRACE_S: 'soon' }), /AGENT_HOST_GRACE_S: must be a number of seconds/);
    assert.throws(() => loadAgentConfig({ ...base, AGENT_HOST_GRACE_S: '0' }), /AGENT_HOST_GRACE_S: must be more than 0/);
    assert.throws(() => loadAgentConfig({ ...base, AGENT_MAX_JOBS: '2.5' }), /AGENT_MAX_JOBS: must be a whole number/);
    assert.throws(() => loadAgentConfig({ ...base, AGENT_MAX_JOBS: '0' }), /AGENT_MAX_JOBS: must be at least 1/);
  });

  it('the health server: loopback and the framework\'s port by default; 0 is any free port; a bad port is named', () => {
    const c = loadAgentConfig({ ...base, AGENT_HTTP_PORT: '' });
    assert.equal(c.AGENT_HTTP_HOST, '127.0.0.1');
    assert.equal(c.AGENT_HTTP_PORT, undefined);
    const set = loadAgentConfig({ ...base, AGENT_HTTP_HOST: '0.0.0.0', AGENT_HTTP_PORT: '0' });
    assert.equal(set.AGENT_HTTP_HOST, '0.0.0.0');
    assert.equal(set.AGENT_HTTP_PORT, 0);
    assert.throws(() => loadAgentConfig({ ...base, AGENT_HTTP_PORT: 'eighty' }), /AGENT_HTTP_PORT: must be a port number/);
    assert.throws(() => loadAgentConfig({ ...base, AGENT_HTTP_PORT: '70000' }), /AGENT_HTTP_PORT: must be 0 to 65535/);
  });

  it('the worker started with a bad setting prints what is wrong and exits 2, no stack trace', () => {
    const run = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', join(REPO_ROOT, 'agent', 'src', 'agent.ts'), 'start'], {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENAI_API_KEY: 'test', AGENT_HTTP_PORT: 'eighty', LIVEKIT_URL: 'ws://127.0.0.1:9' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, EXIT_BAD_SETTING, run.stderr);
    assert.equal(run.stderr, 'showwire agent: invalid agent configuration:\n  AGENT_HTTP_PORT: must be a port number\n  (fix it in the environment or in .env; see .env.example)\n');
  });
});
