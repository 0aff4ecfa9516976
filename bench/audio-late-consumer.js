'use strict'
// A late consumer of a remote audio track: how long until it hears a change the sender made.
// The sender pushes silence, then a 440 Hz tone from 300 ms after the receiver's RTCAudioSink is
// attached (`attachMs` after negotiation). Prints ms from the switch to the first loud chunk.
// Usage: node scripts/netns.js node bench/audio-late-consumer.js <attachMs>
const root = require('node:path').join(__dirname, '..')
const { nonstandard } = require(root)
const { makePc, closeAll, once, trickle, negotiate } = require(root + '/test/helpers/pair')
const { peak, feedSilenceThenTone } = require(root + '/test/helpers/content')
const { RTCAudioSource, RTCAudioSink } = nonstandard
const attachMs = +process.argv[2]
;(async () => {
  const a = makePc(); const b = makePc(); const errors = []
  trickle(a, b, errors); trickle(b, a, errors)
  const source = new RTCAudioSource()
  a.addTrack(source.createTrack())
  const remote = once(b, 'track').then(e => e.track)
  await negotiate(a, b)
  const track = await remote
  const feed = feedSilenceThenTone(source)
  await new Promise(r => setTimeout(r, attachMs))
  const sink = new RTCAudioSink(track)
  let first = null; let chunks = 0
  sink.ondata = () => { chunks++; if (first === null) first = Date.now() }
  await new Promise(r => setTimeout(r, 300))
  const sw = Date.now(); feed.loud()
  const heard = await new Promise(resolve => {
    sink.ondata = d => { chunks++; if (peak(d) > 2000) resolve(Date.now()) }
  })
  const st = await b.getStats(); let inb
  st.forEach(r => { if (r.type === 'inbound-rtp') inb = r })
  console.log(JSON.stringify({ attachMs, firstChunkAfterAttachMs: first - sw + 300, toneHeardAfterSwitchMs: heard - sw, jitterBufferFlushes: inb.jitterBufferFlushes, totalSamplesReceived: inb.totalSamplesReceived, packetsReceived: inb.packetsReceived }))
  feed.stop(); sink.stop(); closeAll(); setTimeout(() => process.exit(0), 100)
})()
