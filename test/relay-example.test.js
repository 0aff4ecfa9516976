'use strict'
// The relay example (examples/relay/relay.js) driven from Node: a headless publisher, subscribers
// that are our own connections (frames counted by RTCVideoSink, samples by RTCAudioSink), and the
// faults of issue 17: a subscriber that never answers, one whose network drops, the publisher
// leaving mid-stream, many joins and leaves without growth. The browser side is
// test/interop/relay.test.js.
//   node scripts/netns.js npx mocha --no-config --exit test/relay-example.test.js
const assert = require('node:assert/strict')
const { RTCPeerConnection, MediaStream, nonstandard } = require('..')
const { Relay } = require('../examples/relay/relay')
const { startSyntheticMedia, publishInProcess } = require('../examples/relay/publisher')

const STEP_MS = 15000
const CYCLES = Number(process.env.NODE_LIBWEBRTC_RELAY_CYCLES || 200)

async function waitFor (read, ms, what) {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`)
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/**
 * A subscriber of ours, joined in-process. `answer: false` makes one that never answers; `frames`,
 * `size`, `audioPeak` say what it received; `tracks` are its remote tracks.
 */
function subscribe (relay, { answer = true } = {}) {
  const pc = new RTCPeerConnection()
  const s = { pc, frames: 0, size: null, audioPeak: 0, tracks: [], messages: [], sinks: [], participant: null, ended: 0 }
  let chain = Promise.resolve()
  s.participant = relay.join(msg => {
    s.messages.push(msg.type)
    chain = chain.then(async () => {
      if (pc.signalingState === 'closed') return
      if (msg.type === 'description' && answer) {
        await pc.setRemoteDescription(msg.description)
        await pc.setLocalDescription()
        s.participant.handle({ type: 'description', description: pc.localDescription.toJSON() })
      } else if (msg.type === 'candidate' && pc.remoteDescription) {
        await pc.addIceCandidate(msg.candidate)
      }
    }).catch(err => { s.error = err })
  })
  pc.onicecandidate = e => s.participant.handle({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null })
  pc.ontrack = e => {
    const track = e.track
    s.tracks.push(track)
    track.addEventListener('ended', () => { s.ended++ })
    if (track.kind === 'video') {
      const sink = new nonstandard.RTCVideoSink(track)
      sink.onframe = ev => { s.frames++; s.size = [ev.frame.width, ev.frame.height] }
      s.sinks.push(sink)
    } else {
      const sink = new nonstandard.RTCAudioSink(track)
      sink.ondata = ev => { for (const v of ev.samples) if (Math.abs(v) > s.audioPeak) s.audioPeak = Math.abs(v) }
      s.sinks.push(sink)
    }
  }
  s.participant.handle({ type: 'watch' })
  s.close = () => {
    for (const sink of s.sinks) sink.stop()
    if (pc.signalingState !== 'closed') pc.close()
  }
  return s
}

/** Frames `s` receives from now on, at the publisher's size. */
async function receivesVideo (s, width, height, more = 10) {
  const from = s.frames
  await waitFor(() => { if (s.error) throw s.error; return s.frames >= from + more }, STEP_MS,
    () => `${more} more frames (had ${from}, now ${s.frames}, ${s.pc.connectionState}; signalling: ${s.messages.join(' ')})`)
  assert.deepEqual(s.size, [width, height])
}

describe('relay example (Node side)', function () {
  this.timeout(60000)
  let relay, media, publisher, subs

  beforeEach(async function () {
    // 5 s to answer (1.5 s before): under ASan in the full suite a subscriber once sat
    // "connecting" with no frames for 15 s, as one the relay dropped for a late answer would
    // (not confirmed: the failure message now shows the signalling it got).
    relay = new Relay({ RTCPeerConnection, answerTimeoutMs: 5000, disconnectTimeoutMs: 1000 })
    media = startSyntheticMedia(nonstandard, MediaStream, { width: 320, height: 240 })
    publisher = await publishInProcess(relay, RTCPeerConnection, media)
    subs = []
  })

  afterEach(function () {
    for (const s of subs) s.close()
    if (publisher) publisher.leave()
    relay.close()
    media.stop()
  })

  it('three subscribers get the publisher\'s video at its size and its tone; one more joins late', async function () {
    for (let i = 0; i < 3; i++) subs.push(subscribe(relay))
    for (const s of subs) await receivesVideo(s, 320, 240)
    await waitFor(() => subs.every(s => s.audioPeak > 1000), STEP_MS, () => `audio peaks ${subs.map(s => s.audioPeak)}`)
    const late = subscribe(relay)
    subs.push(late)
    await receivesVideo(late, 320, 240)
    assert.equal(relay.subscriberCount, 4)
  })

  it('a subscriber that never answers is dropped; the others go on', async function () {
    const good = subscribe(relay)
    const silent = subscribe(relay, { answer: false })
    subs.push(good, silent)
    await waitFor(() => silent.messages.includes('left'), STEP_MS, 'the silent subscriber is told it left')
    assert.equal(relay.subscriberCount, 1)
    await receivesVideo(good, 320, 240)
  })

  it('a subscriber whose network drops is dropped; the others go on', async function () {
    const good = subscribe(relay)
    const lost = subscribe(relay)
    subs.push(good, lost)
    await receivesVideo(lost, 320, 240)
    // Gone without a word: its connection closes, the relay only sees the packets stop.
    lost.close()
    await waitFor(() => relay.subscriberCount === 1, STEP_MS, () => `relay drops the lost subscriber (${relay.subscriberCount} left)`)
    await receivesVideo(good, 320, 240)
  })

  it('the publisher leaving mid-stream (right after a subscriber joined: keyframe in flight) ends the subscribers\' tracks', async function () {
    const first = subscribe(relay)
    subs.push(first)
    await receivesVideo(first, 320, 240)
    const second = subscribe(relay)
    subs.push(second)
    await waitFor(() => second.frames > 0, STEP_MS, 'the second subscriber\'s first frame')
    publisher.pc.close()
    publisher.leave()
    publisher = null
    await waitFor(() => subs.every(s => s.tracks.length === 2 && s.tracks.every(t => t.readyState === 'ended')), STEP_MS,
      () => `tracks end: ${subs.map(s => s.tracks.map(t => t.readyState))}`)
    assert.deepEqual(subs.map(s => s.ended), [2, 2], 'one ended event per track')
    assert.ok(subs.every(s => s.messages.includes('publisher')))
    // A new publisher brings new tracks to the same subscribers.
    publisher = await publishInProcess(relay, RTCPeerConnection, media)
    await waitFor(() => subs.every(s => s.tracks.length === 4), STEP_MS, 'new tracks')
    for (const s of subs) await receivesVideo(s, 320, 240)
  })

  it(`${CYCLES} subscriber joins and leaves in a row: nothing left behind`, async function () {
    this.timeout(300000)
    const steady = subscribe(relay)
    subs.push(steady)
    await receivesVideo(steady, 320, 240)
    const before = nonstandard.liveObjects()
    const rss = []
    for (let i = 0; i < CYCLES; i++) {
      if (i % 100 === 0) rss.push(process.memoryUsage().rss)
      const s = subscribe(relay)
      // Half leave at once (offer in flight), half once the offer is answered.
      if (i % 2) await waitFor(() => s.pc.signalingState === 'stable' && s.pc.remoteDescription, STEP_MS, 'answered')
      s.participant.handle({ type: 'leave' })
      s.close()
    }
    assert.equal(relay.subscriberCount, 1)
    await receivesVideo(steady, 320, 240)
    // Closed connections go at once; their JS objects with GC.
    const after = await waitFor(async () => {
      global.gc && global.gc()
      await new Promise(resolve => setTimeout(resolve, 100))
      const now = nonstandard.liveObjects()
      return now.libwebrtcPeerConnections <= before.libwebrtcPeerConnections ? now : null
    }, STEP_MS, () => `libwebrtc connections back to ${before.libwebrtcPeerConnections}: ${JSON.stringify(nonstandard.liveObjects())}`)
    assert.ok(after.libwebrtcPeerConnections <= before.libwebrtcPeerConnections)
    rss.push(process.memoryUsage().rss)
    await new Promise(resolve => setTimeout(resolve, 3000))
    console.log(`      libwebrtc long timers: ${before.longTimers} before, ${after.longTimers} after the cycles, ${nonstandard.liveObjects().longTimers} 3 s later`)
    // Reported, not asserted (RSS is noisy): the growth after the first 100 cycles.
    console.log(`      RSS every 100 cycles (MiB): ${rss.map(r => (r / 1048576).toFixed(0)).join(' ')}; live objects after: ${JSON.stringify(after)}`)
  })
})
