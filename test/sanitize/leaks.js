'use strict'
// LeakSanitizer over whole processes that end on their own (no process.exit(): Node then disposes
// its isolates, so what is still allocated at exit was leaked). Only meaningful against the ASan
// build: scripts/sanitize.sh adds this file to the run; the ordinary suite does not load it.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const fixtures = path.join(root, 'test', 'lifecycle', 'fixtures')
const { underAsan } = require('../helpers/sanitizers')

function runWithLeakCheck (args) {
  // Later ASAN_OPTIONS entries win: leak checking on, reports on stderr where we can read them.
  const env = { ...process.env, ASAN_OPTIONS: `${process.env.ASAN_OPTIONS}:detect_leaks=1:log_path=stderr` }
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 50000, env })
  const out = `status=${r.status} signal=${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`
  assert.doesNotMatch(r.stderr, /LeakSanitizer|AddressSanitizer|runtime error:/, out)
  assert.equal(r.status, 0, out)
  return r
}

describe('sanitizers: no leaks at exit', function () {
  this.timeout(60000)
  before(function () {
    if (!underAsan) this.skip() // run it with: bash scripts/sanitize.sh
  })

  // Regression: the dispatcher kept four napi references and an async context that nothing
  // released, once per environment (the main thread and each Worker).
  it('a peer pair that exchanges messages and closes', function () {
    const r = runWithLeakCheck([path.join(root, 'examples', 'pair.js')])
    assert.match(r.stdout, /received: echo: hello libwebrtc/)
  })

  it('an open connection closed from a timer', function () {
    const r = runWithLeakCheck([path.join(fixtures, 'keepalive.js')])
    assert.match(r.stdout, /closing/)
  })

  it('peers in the main thread and in a Worker (two environments)', function () {
    const r = runWithLeakCheck([path.join(fixtures, 'main-worker-peer.js')])
    assert.match(r.stdout, /^worker got: from main$/m)
  })
})
