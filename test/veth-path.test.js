'use strict'
// A data channel on a path that is not loopback: two processes in two network namespaces joined by
// a veth pair (MTU 1500), as `npm run bench` measures it (bench/lib/netpath.js, bench/side.js).
// Bursts of DTLS records leave there in segmented sends (UDP_SEGMENT, runtime/datagram_batch.h);
// every message must arrive. Needs root (ip netns); skipped without it.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const { createPath, destroyPath } = require('../bench/lib/netpath')
const { runPair } = require('../bench/lib/pair-run')

const canNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0

describe('a veth path between two namespaces', function () {
  this.timeout(120000)
  let path = null
  before(function () {
    if (!canNetns) this.skip() // needs root for ip netns
    path = createPath('veth')
  })
  after(() => { if (path) destroyPath(path) })

  it('16 MiB in 64 KiB messages arrive, all of them', async () => {
    const r = await runPair('ours', 'throughput', true, 'veth', path, 100)
    assert.equal(r.error, undefined)
    assert.equal(r.result.partial, false)
    assert.equal(r.result.messages, 256)
    assert.equal(r.result.bytes, 16 * 1024 * 1024)
  })

  it('20,000 messages of 100 bytes arrive, all of them', async () => {
    const r = await runPair('ours', 'small', true, 'veth', path, 100)
    assert.equal(r.error, undefined)
    assert.equal(r.result.partial, false)
    assert.equal(r.result.messages, 20000)
  })
})
