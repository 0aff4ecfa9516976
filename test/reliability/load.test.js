'use strict'
// Load: 500 pairs open at once in one process, each channel exchanging messages both ways; all
// open, every message delivered in order, then all closed and the process exits cleanly.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

describe('reliability: 500 concurrent pairs', function () {
  this.timeout(300000)
  it('all open, all messages delivered, all closed; time and RSS reported', async function () {
    const t0 = performance.now()
    const r = await runFixture('load.js', { args: [500, 20], timeout: 280000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    const res = lastJson(r)
    console.log(`      load figures: ${JSON.stringify(res)}; process ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    assert.equal(res.open, 500)
    assert.equal(res.delivered, res.expected)
    assert.equal(res.liveAfterClose.peerConnections, 0)
  })
})
