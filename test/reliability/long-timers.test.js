'use strict'
// libwebrtc leaves timers of 10 s to 5 min behind each closed connection (regathering, port and
// STUN timeouts, SCTP heartbeats). They are dropped once the connections that could have set them
// have closed (runtime/network_thread.h), and kept while those connections are open.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

describe('reliability: long libwebrtc timers', function () {
  this.timeout(60000)
  let res

  before(async function () {
    const r = await runFixture('long-timers.js', { timeout: 50000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    res = lastJson(r)
  })

  it('a connected pair has long timers queued', function () {
    assert.ok(res.whileConnected > 0, JSON.stringify(res))
  })

  it('closing one pair keeps the timers of the pair still open, which keeps working', function () {
    assert.equal(res.firstDestroyed, true, JSON.stringify(res))
    assert.ok(res.afterFirstClosed > 0, JSON.stringify(res))
    assert.equal(res.secondStillWorks, true)
  })

  it('once every connection has closed, no long timer is left', function () {
    assert.deepEqual([res.allDropped, res.afterAllClosed], [true, 0], JSON.stringify(res))
  })
})
