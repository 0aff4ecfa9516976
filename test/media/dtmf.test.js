'use strict'
// RTCRtpSender.dtmf (webrtc-pc §7): the RTCDTMFSender's rules, its tonechange events, and the
// tones themselves: libwebrtc sends them as telephone-event, the receiving peer's NetEq plays
// them into its audio output, and an RTCAudioSink there hears the DTMF pairs (test/helpers/dtmf).
const assert = require('node:assert/strict')
const {
  RTCPeerConnection, RTCDTMFSender, RTCDTMFToneChangeEvent, mediaDevices, nonstandard
} = require('../..')
const { makePc, closeAll, once, until, trickle, negotiate, throwsWith } = require('../helpers/pair')
const { DtmfDetector, assertHeardInOrder } = require('../helpers/dtmf')

function connected () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  return { a, b, errors }
}

/** A silent local audio track (the synthetic microphone, disabled: it sends zeros). */
async function silentAudio () {
  const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
  track.enabled = false
  return track
}

/** Every tonechange of `dtmf` until the final '' (or rejects after `ms`). */
function tones (dtmf, ms = 20000) {
  return new Promise((resolve, reject) => {
    const seen = []
    const timer = setTimeout(() => reject(new Error(`tonechange events so far: ${JSON.stringify(seen)}`)), ms)
    dtmf.addEventListener('tonechange', function listener (e) {
      assert.ok(e instanceof RTCDTMFToneChangeEvent)
      seen.push(e.tone)
      if (e.tone === '') { clearTimeout(timer); dtmf.removeEventListener('tonechange', listener); resolve(seen) }
    })
  })
}

describe('media: RTCDTMFSender', function () {
  this.timeout(40000)
  const cleanup = []
  afterEach(() => { for (const s of cleanup.splice(0)) s.stop(); closeAll() })

  async function call () {
    const { a, b } = connected()
    const track = await silentAudio()
    cleanup.push(track)
    const sender = a.addTrack(track)
    const remote = once(b, 'track').then(e => e.track)
    await negotiate(a, b)
    await until(a, 'connectionstatechange', () => a.connectionState === 'connected')
    return { a, b, sender, track, remote: await remote }
  }

  it('sender.dtmf: an RTCDTMFSender for audio (the same object each time), null for video', async () => {
    const pc = makePc()
    const audio = pc.addTransceiver('audio')
    const video = pc.addTransceiver('video')
    assert.ok(audio.sender.dtmf instanceof RTCDTMFSender)
    assert.equal(audio.sender.dtmf, audio.sender.dtmf)
    assert.equal(video.sender.dtmf, null)
    assert.equal(audio.sender.dtmf.toneBuffer, '')
    assert.equal(Object.prototype.toString.call(audio.sender.dtmf), '[object RTCDTMFSender]')
    assert.throws(() => new RTCDTMFSender(), TypeError)
  })

  it('before negotiation canInsertDTMF is false and insertDTMF throws InvalidStateError', async () => {
    const pc = makePc()
    const track = await silentAudio()
    cleanup.push(track)
    const { dtmf } = pc.addTrack(track)
    assert.equal(dtmf.canInsertDTMF, false)
    throwsWith(() => dtmf.insertDTMF('1'), 'InvalidStateError')
    assert.equal(dtmf.toneBuffer, '')
    assert.throws(() => dtmf.insertDTMF(), TypeError)
  })

  it('after negotiation: canInsertDTMF, tones upper-cased into toneBuffer, InvalidCharacterError', async () => {
    const { sender } = await call()
    const dtmf = sender.dtmf
    assert.equal(dtmf.canInsertDTMF, true)
    dtmf.insertDTMF('abcd#*,0')
    assert.equal(dtmf.toneBuffer, 'ABCD#*,0')
    throwsWith(() => dtmf.insertDTMF('12x'), 'InvalidCharacterError')
    throwsWith(() => dtmf.insertDTMF('1 2'), 'InvalidCharacterError')
    assert.equal(dtmf.toneBuffer, 'ABCD#*,0', 'a refused call leaves the buffer alone')
    dtmf.insertDTMF('')
    assert.equal(dtmf.toneBuffer, '')
    // Out-of-range durations and gaps are clamped, not refused.
    dtmf.insertDTMF('1', 1, 1)
    dtmf.insertDTMF('1', 100000, 100000)
    dtmf.insertDTMF('1', -5, NaN)
    assert.equal(dtmf.toneBuffer, '1')
    assert.throws(() => dtmf.insertDTMF('1', Symbol('x')), TypeError)
  })

  it('tonechange: each tone as it starts, then "" once the buffer is empty; ontonechange too', async () => {
    const { sender } = await call()
    const dtmf = sender.dtmf
    const viaHandler = []
    dtmf.ontonechange = e => { viaHandler.push(e.tone) }
    assert.equal(typeof dtmf.ontonechange, 'function')
    const done = tones(dtmf)
    dtmf.insertDTMF('1a#', 40, 30)
    assert.equal(dtmf.toneBuffer, '1A#')
    const seen = await done
    assert.deepEqual(seen, ['1', 'A', '#', ''])
    assert.deepEqual(viaHandler, seen)
    assert.equal(dtmf.toneBuffer, '')
  })

  it('insertDTMF while tones play replaces the rest of the buffer', async () => {
    const { sender } = await call()
    const dtmf = sender.dtmf
    const done = tones(dtmf)
    dtmf.insertDTMF('123', 40, 30)
    await once(dtmf, 'tonechange')
    assert.equal(dtmf.toneBuffer, '23')
    dtmf.insertDTMF('9', 40, 30)
    assert.deepEqual(await done, ['1', '9', ''])
  })

  it("a ',' is a pause with its own tonechange", async () => {
    const { sender } = await call()
    const done = tones(sender.dtmf)
    sender.dtmf.insertDTMF('1,2', 40, 30)
    assert.deepEqual(await done, ['1', ',', '2', ''])
  })

  it('InvalidStateError when the transceiver does not send: recvonly, inactive, stopped, closed', async () => {
    const { a, b, sender } = await call()
    // b sends too, so that a recvonly offer of a's gives a recvonly (not inactive) current direction.
    const back = await silentAudio()
    cleanup.push(back)
    b.addTrack(back)
    const t = a.getTransceivers()[0]
    t.direction = 'recvonly'
    await negotiate(a, b)
    assert.equal(t.currentDirection, 'recvonly')
    assert.equal(sender.dtmf.canInsertDTMF, false)
    throwsWith(() => sender.dtmf.insertDTMF('1'), 'InvalidStateError')
    t.direction = 'inactive'
    await negotiate(a, b)
    assert.equal(t.currentDirection, 'inactive')
    throwsWith(() => sender.dtmf.insertDTMF('1'), 'InvalidStateError')
    t.direction = 'sendonly'
    await negotiate(a, b)
    assert.equal(t.currentDirection, 'sendonly')
    assert.equal(sender.dtmf.canInsertDTMF, true)
    t.stop()
    assert.equal(sender.dtmf.canInsertDTMF, false)
    throwsWith(() => sender.dtmf.insertDTMF('1'), 'InvalidStateError')
    const other = await call()
    other.a.close()
    assert.equal(other.sender.dtmf.canInsertDTMF, false)
    throwsWith(() => other.sender.dtmf.insertDTMF('1'), 'InvalidStateError')
  })

  it('a sender without a track cannot send DTMF (replaceTrack(null)); with one again it can', async () => {
    const { sender, track } = await call()
    await sender.replaceTrack(null)
    assert.equal(sender.dtmf.canInsertDTMF, false)
    throwsWith(() => sender.dtmf.insertDTMF('1'), 'InvalidStateError')
    await sender.replaceTrack(track)
    assert.equal(sender.dtmf.canInsertDTMF, true)
  })

  it('the receiving peer hears every tone sent, in order (NetEq plays telephone-event; Goertzel on its RTCAudioSink)', async () => {
    const { sender, remote } = await call()
    const sink = new nonstandard.RTCAudioSink(remote)
    cleanup.push(sink)
    const detector = new DtmfDetector()
    // Tones start once the sink hears the call (its first chunks).
    await new Promise(resolve => { sink.ondata = d => { detector.push(d); if (detector.blocks >= 5) resolve() } })
    const sent = '159#0*D'
    const done = tones(sender.dtmf)
    sender.dtmf.insertDTMF(sent, 160, 100)
    await done
    // The last tone is still in the receiver's jitter buffer when the sender's '' fires (and a
    // late tone is played late).
    await new Promise(resolve => setTimeout(resolve, 1000))
    assertHeardInOrder(detector.heard, sent, `heard (in ${detector.blocks} blocks)`)
  })

  it('createDTMFSender(track) (legacy): the dtmf of the track\'s sender; SyntaxError for video or an unsent track', async () => {
    const { a, sender, track } = await call()
    assert.equal(a.createDTMFSender(track), sender.dtmf)
    const [video] = (await mediaDevices.getUserMedia({ video: true })).getVideoTracks()
    cleanup.push(video)
    throwsWith(() => a.createDTMFSender(video), 'SyntaxError')
    const other = await silentAudio()
    cleanup.push(other)
    throwsWith(() => a.createDTMFSender(other), 'SyntaxError')
    assert.throws(() => a.createDTMFSender({}), TypeError)
    a.close()
    throwsWith(() => a.createDTMFSender(track), 'InvalidStateError')
  })

  it('RTCDTMFToneChangeEvent constructor', () => {
    const e = new RTCDTMFToneChangeEvent('tonechange', { tone: '5' })
    assert.equal(e.type, 'tonechange')
    assert.equal(e.tone, '5')
    assert.equal(new RTCDTMFToneChangeEvent('tonechange').tone, '')
    assert.equal(new RTCDTMFToneChangeEvent('x', { bubbles: true }).bubbles, true)
    assert.throws(() => new RTCDTMFToneChangeEvent(), TypeError)
    assert.ok(new RTCDTMFToneChangeEvent('x') instanceof Event)
  })

  it('a closed connection stops the tones without error', async () => {
    const { a, sender } = await call()
    const seen = []
    sender.dtmf.ontonechange = e => seen.push(e.tone)
    sender.dtmf.insertDTMF('123', 40, 30)
    await once(sender.dtmf, 'tonechange')
    a.close()
    await new Promise(resolve => setTimeout(resolve, 400))
    assert.deepEqual(seen, ['1'])
    assert.ok(RTCPeerConnection)
  })
})
