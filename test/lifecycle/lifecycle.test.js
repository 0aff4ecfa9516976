'use strict'
// Process-level behaviour: each case runs in its own node process.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const fixtures = path.join(__dirname, 'fixtures')
const root = path.join(__dirname, '..', '..')

function run (args, env = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 20000, env: { ...process.env, ...env } })
  const out = `status=${r.status} signal=${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`
  assert.equal(r.signal, null, out)
  assert.doesNotMatch(r.stderr, /Fatal error|FATAL ERROR|Check failed|Segmentation|Aborted/, out)
  return { ...r, out }
}

describe('lifecycle', function () {
  this.timeout(30000)
  it('an open connection keeps the event loop alive; close() lets the process exit', function () {
    const r = run([path.join(fixtures, 'keepalive.js')])
    assert.equal(r.status, 0, r.out)
    assert.match(r.stdout, /closing/, 'the process ended before close(): ' + r.out)
  })

  it('returning from main after close() exits with code 0', function () {
    const r = run([path.join(root, 'examples', 'pair.js')])
    assert.equal(r.status, 0, r.out)
    assert.match(r.stdout, /received: echo: hello libwebrtc/, r.out)
  })

  it('process.exit() with open, busy connections exits cleanly', function () {
    const r = run([path.join(fixtures, 'exit-busy.js'), '10'])
    assert.equal(r.status, 0, r.out)
    assert.match(r.stdout, /exiting/, r.out)
  })

  for (const how of ['exit', 'close']) {
    it(`a relay receiving simulcast layers exits (${how === 'exit' ? 'process.exit() with its connections open' : 'main returns after close()'})`, function () {
      // The layers' watcher kept a transceiver in a task queued on the connection's thread; the
      // runtime deleted that thread at exit, the task died with it, and the transceiver's release
      // waited forever for the deleted thread.
      const r = run([path.join(fixtures, 'exit-simulcast.js'), how])
      assert.equal(r.status, 0, r.out)
      assert.match(r.stdout, /^watchers 1$/m, r.out)
      assert.match(r.stdout, how === 'exit' ? /exiting/ : /closed/, r.out)
    })
  }

  it('works in a worker_threads Worker and the main thread at once', function () {
    const r = run([path.join(fixtures, 'worker-and-main.js')])
    assert.equal(r.status, 0, r.out)
    assert.match(r.stdout, /^main echo ping$/m, r.out)
    assert.match(r.stdout, /^worker echo ping$/m, r.out)
  })

  it('negotiates between a peer in the main thread and one in a Worker', function () {
    const r = run([path.join(fixtures, 'main-worker-peer.js')])
    assert.equal(r.status, 0, r.out)
    assert.match(r.stdout, /^worker got: from main$/m, r.out)
  })

  it('a missing binary gives an error that says what to install and run', function () {
    const r = run(['-e', "require('./')"], { NODE_LIBWEBRTC_BINARY: '/nonexistent/addon.node' })
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /apt-get install -y libtgowt-dev/, r.out)
    assert.match(r.stderr, /npm run build:native/, r.out)
  })
})
