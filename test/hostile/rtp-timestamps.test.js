'use strict'
// RTP timestamps that leap: the receiver must survive and stay connected. libwebrtc M108's
// render-time estimate could land before the clock's zero and abort the process on a DCHECK that
// Debian's build keeps (src-native/shims/timestamp_extrapolator_guard.cc); any remote sender
// could trigger it. Run in a child process, so an abort fails this test and not the suite.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('../reliability/helpers')

describe('hostile RTP timestamps', function () {
  this.timeout(60000)

  it('video whose timestamps leap past half the RTP range: the receiver survives and stays connected', async () => {
    const r = await runFixture('../../hostile/fixtures/rtp-timestamp-jumps.js', { timeout: 50000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    const { before, receiver } = lastJson(r)
    assert.ok(before > 10, `frames before the first leap: ${before}\n${r.out}`)
    assert.equal(receiver, 'connected', r.out)
  })
})
