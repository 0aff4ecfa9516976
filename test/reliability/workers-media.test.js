'use strict'
// Workers with media: worker_threads each holding media pairs (synthetic video + tone, every
// remote track unmuted) are terminated mid-call, and more are terminated at staggered points of
// getUserMedia and negotiation; the main thread's own media and data pairs keep working and it
// can set up a new media call afterwards.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

describe('reliability: worker_threads terminated mid media call', function () {
  this.timeout(120000)
  let res

  before(async function () {
    const r = await runFixture('workers-media.js', { args: [4, 10], timeout: 100000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    res = lastJson(r)
    console.log(`      workers-media figures: ${JSON.stringify(res)}`)
  })

  it('4 workers x 10 media pairs reach media (every remote track unmuted), and terminate() mid-call does not crash', function () {
    assert.equal(res.readyPairs, 40)
    assert.equal(res.unmutedRemoteTracks, 80)
    assert.deepEqual(res.exitCodes, Array(4).fill(1)) // terminate()'s code
  })

  it('workers terminated while setting up calls do not crash either', function () {
    assert.deepEqual(res.earlyExitCodes, Array(4).fill(1))
  })

  it('the main thread keeps exchanging data, keeps its media call, and sets up a new one', function () {
    assert.equal(res.mainStillWorks, true, JSON.stringify(res.mainMessages))
    assert.ok(res.mainMessages.afterTerminate >= res.mainMessages.atTerminate)
    assert.deepEqual(res.mainMediaTracks, ['live', 'live'])
    assert.equal(res.newMainPairUnmuted, 2)
  })

  it('the terminated workers leave no threads behind', function () {
    assert.ok(res.threadsAtEnd <= res.threadsBefore, `${res.threadsBefore} threads before the workers, ${res.threadsAtEnd} at the end`)
  })
})
