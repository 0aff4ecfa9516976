'use strict'
// What the relay tests read from a subscriber's pictures and from the relay's counters.
const assert = require('node:assert/strict')
const { nonstandard } = require('../..')
const { lumaMean } = require('./content')

/** The next `count` frames of `sink` (size and luma mean), or rejects after `ms`. */
function frames (sink, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const got = []
    const timer = setTimeout(() => { sink.onframe = null; reject(new Error(`${got.length} of ${count} frames in ${ms} ms`)) }, ms)
    sink.onframe = ({ frame }) => {
      got.push({ width: frame.width, height: frame.height, mean: lumaMean(frame) })
      if (got.length === count) { clearTimeout(timer); sink.onframe = null; resolve(got) }
    }
  })
}

/** Our synthetic camera's picture: 320x240, gray 128 with a white bar an eighth wide (141.4). */
function assertPattern (got) {
  for (const f of got) {
    assert.equal(f.width, 320)
    assert.equal(f.height, 240)
    assert.ok(Math.abs(f.mean - 141.4) < 6, `luma mean ${f.mean}`)
  }
}

function counters () { return nonstandard.relayCounters() }
function delta (before, after) {
  const out = {}
  for (const k of Object.keys(after)) out[k] = after[k] - before[k]
  return out
}

module.exports = { lumaMean, frames, assertPattern, counters, delta }
