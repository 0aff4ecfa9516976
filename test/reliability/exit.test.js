'use strict'
// Exit: a process with 100 connected pairs whose channels are busy, or 50 pairs sending synthetic
// video, ends in under 1 s, measured here from the trigger (process.exit(), close() + return from
// main, SIGTERM sent) to the process being gone, on every run, with no abort and nothing
// crash-like on stderr. NODE_LIBWEBRTC_EXIT_RUNS sets the runs per mode: 10 by default for data
// channels and 5 for media to keep CI short, 100 for the full check.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash } = require('./helpers')
const { underAsan } = require('../helpers/sanitizers')

// Under the sanitizers one run at a time: two instrumented processes with 50 video pairs each
// starve a 2-core CI machine until ICE checks time out, which tests the machine, not the exit.
const PARALLEL = underAsan ? 1 : 2
// The product bound. Under the sanitizers (scripts/sanitize.sh) instrumented code runs several
// times slower: that run checks for memory errors at exit, with a looser bound.
const BOUND_MS = underAsan ? 3000 : 1000

async function runOnce (fixture, PAIRS, mode) {
  let trigger = 0
  const r = await runFixture(fixture, {
    args: [mode, PAIRS],
    timeout: 60000,
    onLine (line, child, t) {
      if (line === 'trigger') trigger = t
      if (line === 'ready') {
        trigger = performance.now()
        child.kill('SIGTERM')
      }
    }
  })
  assertNoCrash(r)
  assert.ok(trigger > 0, 'never triggered: ' + r.out)
  if (mode === 'sigterm') {
    assert.equal(r.signal, 'SIGTERM', r.out)
  } else {
    assert.equal(r.status, 0, r.out)
    assert.equal(r.signal, null, r.out)
  }
  return { ms: r.exitAt - trigger, out: r.out }
}

async function runMany (fixture, PAIRS, RUNS, mode) {
  const times = []
  const slow = []
  let next = 0
  const t0 = performance.now()
  async function lane () {
    while (next < RUNS) {
      next++
      const { ms, out } = await runOnce(fixture, PAIRS, mode)
      times.push(ms)
      if (ms >= BOUND_MS) slow.push(`${ms.toFixed(0)} ms\n${out}`)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, lane))
  times.sort((a, b) => a - b)
  const q = p => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(0)
  console.log(`      ${mode}: ${RUNS} runs x ${PAIRS} pairs (${fixture}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
    `trigger -> gone: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`)
  // Under AddressSanitizer (scripts/sanitize.sh) every allocation and free is several times slower:
  // the exits (code, signal, no crash, no report) are checked, their time is not.
  if (underAsan) return
  assert.equal(slow.length, 0, `${slow.length}/${RUNS} runs took ${BOUND_MS} ms or more; first:\n${slow[0]}`)
}

const scenarios = [
  { what: 'busy pairs', fixture: 'exit.js', pairs: 100, runs: Number(process.env.NODE_LIBWEBRTC_EXIT_RUNS || 10) },
  // Each pair: a sends getUserMedia's synthetic 320x240 video, b receives it (first packet in).
  { what: 'pairs sending video', fixture: 'exit-media.js', pairs: underAsan ? 20 : 50, runs: Number(process.env.NODE_LIBWEBRTC_EXIT_RUNS || 5) }
]

for (const { what, fixture, pairs, runs } of scenarios) {
  describe(`reliability: exit with ${pairs} ${what} (${runs} runs per mode)`, function () {
    this.timeout(runs * 15000 + 60000)
    it('process.exit() exits with code 0 in under 1 s', () => runMany(fixture, pairs, runs, 'exit'))
    it('close() of everything and returning from main exits with code 0 in under 1 s', () => runMany(fixture, pairs, runs, 'return'))
    it('SIGTERM ends the process (by the signal, Node\'s default) in under 1 s', () => runMany(fixture, pairs, runs, 'sigterm'))
  })
}
