'use strict'
// What arrives, not just that something arrives: pictures and tones sent between our peers, read
// with nonstandard.RTCVideoSink / RTCAudioSink on the receiving side.
const assert = require('node:assert/strict')
const { mediaDevices, nonstandard } = require('../..')
const { binding } = require('../../dist/native')
const { createTrack } = require('../../dist/MediaStreamTrack')
const { makePc, closeAll, once, trickle, negotiate } = require('../helpers/pair')
const { lumaMean, frames, tone } = require('../helpers/content')

const { RTCVideoSink, RTCAudioSink } = nonstandard

function connected () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  return { a, b, errors }
}

describe('media: content', function () {
  this.timeout(30000)
  const sinks = []
  afterEach(() => { for (const s of sinks.splice(0)) s.stop(); closeAll() })
  const sink = (Kind, track) => { const s = new Kind(track); sinks.push(s); return s }

  it('video: the receiver decodes our test pattern at the sent size; a disabled track sends black', async () => {
    const { a, b } = connected()
    const [track] = (await mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 30 } })).getVideoTracks()
    a.addTrack(track)
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    const s = sink(RTCVideoSink, await remote)
    const got = await frames(s, 10)
    for (const f of got) {
      assert.equal(f.width, 320)
      assert.equal(f.height, 240)
      // Gray 128 with a white bar an eighth wide: 141.4 before compression.
      assert.ok(Math.abs(f.mean - 141.4) < 6, `luma mean ${f.mean}`)
    }
    track.enabled = false
    const black = await frames(s, 3, f => lumaMean(f) < 40)
    assert.equal(black.length, 3)
  })

  it('getSettings of remote tracks: the size and rate of the video, the rate and channels of the audio', async () => {
    const { a, b } = connected()
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 180, frameRate: 30 } })
    for (const t of stream.getTracks()) a.addTrack(t, stream)
    const got = []
    b.ontrack = e => got.push(e.track)
    await negotiate(a, b)
    const video = got.find(t => t.kind === 'video')
    const audio = got.find(t => t.kind === 'audio')
    const deadline = Date.now() + 8000
    while (Date.now() < deadline && (video.getSettings().frameRate === undefined || audio.getSettings().sampleRate === undefined)) {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const v = video.getSettings()
    assert.equal(v.width, 320)
    assert.equal(v.height, 180)
    assert.equal(v.aspectRatio, 1.7778)
    assert.ok(v.frameRate > 10 && v.frameRate < 40, `frameRate ${v.frameRate}`)
    const s = audio.getSettings()
    assert.equal(s.sampleRate, 48000)
    assert.ok(s.channelCount === 1 || s.channelCount === 2)
  })

  it('audio: the receiver hears our 440 Hz tone; a disabled track sends silence', async () => {
    const { a, b } = connected()
    const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    a.addTrack(track)
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    const s = sink(RTCAudioSink, await remote)
    await tone(s, 20) // the decoder's first chunks fade in
    const t = await tone(s, 50)
    assert.ok(Math.abs(t.hz - 440) < 10, `${t.hz} Hz`)
    assert.ok(t.rms > 2000, `rms ${t.rms}`)
    track.enabled = false
    await tone(s, 30)
    const quiet = await tone(s, 30)
    assert.ok(quiet.rms < 50, `rms after disabling ${quiet.rms}`)
  })

  it('relay: two remote tones forwarded on one connection arrive apart, never mixed', async () => {
    const one = connected(); const two = connected(); const out = connected()
    const t440 = createTrack(binding.createSyntheticAudioTrack({ frequency: 440 }), { remote: false })
    const t1000 = createTrack(binding.createSyntheticAudioTrack({ frequency: 1000 }), { remote: false })
    one.a.addTrack(t440)
    two.a.addTrack(t1000)
    const r1 = once(one.b, 'track').then(e => e.track)
    const r2 = once(two.b, 'track').then(e => e.track)
    await negotiate(one.a, one.b)
    await negotiate(two.a, two.b)
    // The relay sends both remote tracks on to a third peer.
    const s440 = out.a.addTrack(await r1)
    const s1000 = out.a.addTrack(await r2)
    const atC = []
    out.b.ontrack = e => atC.push(e)
    await negotiate(out.a, out.b)
    assert.equal(atC.length, 2)
    const midOf = sender => out.a.getTransceivers().find(t => t.sender === sender).mid
    const byMid = new Map(atC.map(e => [e.transceiver.mid, e.track]))
    const first = sink(RTCAudioSink, byMid.get(midOf(s440)))
    const second = sink(RTCAudioSink, byMid.get(midOf(s1000)))
    await Promise.all([tone(first, 20), tone(second, 20)])
    const [x, y] = await Promise.all([tone(first, 50), tone(second, 50)])
    assert.ok(Math.abs(x.hz - 440) < 10, `first ${x.hz} Hz`)
    assert.ok(Math.abs(y.hz - 1000) < 15, `second ${y.hz} Hz`)
    t440.stop(); t1000.stop()
  })
})
