'use strict'
// A sender's or receiver's frame transformer slot (ours for the relay, or the application's
// encoded transform) is held in a process-wide registry, and the application's streams hold the
// transformer: both must be given back once the connection is closed, or a long-running program
// keeps every transformed stream of every call (and, for RTCRtpScriptTransform, its Worker's
// streams).
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

describe('reliability: frame transformer slots', function () {
  this.timeout(60000)

  for (const [mode, what] of [['streams', 'createEncodedStreams()'], ['script', 'an RTCRtpScriptTransform (one Worker)']]) {
    it(`slots taken by ${what} on 2 senders and 2 receivers are all given back after close and GC (3 calls)`, async function () {
      const r = await runFixture('transformer-slots.js', { args: [3, mode], nodeArgs: ['--expose-gc'], timeout: 50000 })
      assertNoCrash(r)
      assert.equal(r.status, 0, r.out)
      const { first, after } = lastJson(r)
      assert.equal(first, 4, `slots while the first call was up: ${first}`)
      assert.equal(after, 0, `slots left after close and GC: ${after}`)
    })
  }
})
