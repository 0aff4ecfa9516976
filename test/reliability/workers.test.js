'use strict'
// Workers: 8 worker_threads with 50 busy pairs each are terminated while everything is live; the
// main thread's own connection keeps working throughout; then 50 workers created and terminated
// one after another leave the main thread's RSS and thread count flat.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

const { underAsan } = require('../helpers/sanitizers')

describe('reliability: worker_threads terminated with live connections', function () {
  this.timeout(240000)
  let res

  before(async function () {
    const r = await runFixture('workers.js', { args: [8, 50, 50], nodeArgs: ['--expose-gc'], timeout: 220000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    res = lastJson(r)
    console.log(`      workers figures: ${JSON.stringify(res)}`)
  })

  it('8 workers x 50 pairs connect, and terminate() with everything live does not crash', function () {
    assert.equal(res.readyPairs, 400)
    assert.deepEqual(res.exitCodes, Array(8).fill(1)) // terminate()'s code
  })

  it('the main thread\'s connection keeps exchanging messages during and after the terminations', function () {
    assert.equal(res.mainStillWorks, true, JSON.stringify(res.mainMessages))
    assert.ok(res.mainMessages.afterTerminate >= res.mainMessages.atTerminate)
  })

  it('50 workers created and terminated in turn: the main thread\'s threads and RSS stay flat', function () {
    const [first, last] = res.sequential
    assert.equal(last.threads, first.threads, JSON.stringify(res.sequential))
    assert.equal(res.threadsAtEnd, res.before.threads, 'threads left behind by terminated workers')
    // ASan (scripts/sanitize.sh) keeps freed memory in quarantine: only the ordinary build's RSS says anything.
    if (underAsan) return
    assert.ok(last.rssMiB - first.rssMiB < 20, `RSS grew by ${(last.rssMiB - first.rssMiB).toFixed(1)} MiB over 45 workers`)
  })
})
