'use strict'
// Media across renegotiation: perfect negotiation with glare, forwarding a remote track to a third
// peer, transceiver reuse after stop.
const assert = require('node:assert/strict')
const { RTCPeerConnection, mediaDevices } = require('../..')
const { makePc, closeAll, once, until, trickle, negotiate } = require('../helpers/pair')

/** The perfect-negotiation pattern of webrtc-pc §10.7 between two of our peers. */
function perfect (pc, other, polite) {
  let makingOffer = false
  let ignoreOffer = false
  const errors = []
  pc.onnegotiationneeded = async () => {
    try {
      makingOffer = true
      await pc.setLocalDescription()
      other.receive({ description: pc.localDescription })
    } catch (err) { errors.push(err) } finally { makingOffer = false }
  }
  pc.onicecandidate = ({ candidate }) => other.receive({ candidate })
  pc.receive = async ({ description, candidate }) => {
    try {
      if (description) {
        const collision = description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable')
        ignoreOffer = !polite && collision
        if (ignoreOffer) return
        await pc.setRemoteDescription(description)
        if (description.type === 'offer') {
          await pc.setLocalDescription()
          other.receive({ description: pc.localDescription })
        }
      } else if (candidate !== undefined) {
        try { await pc.addIceCandidate(candidate) } catch (err) { if (!ignoreOffer) throw err }
      }
    } catch (err) { errors.push(err) }
  }
  return errors
}

describe('media: negotiation', function () {
  this.timeout(30000)
  afterEach(closeAll)

  it('perfect negotiation: both sides add a track at once (glare) and both receive the other', async () => {
    const a = makePc()
    const b = makePc()
    const remote = { a: null, b: null }
    const relay = (from, to) => ({ receive: msg => setImmediate(() => to.receive(msg)) })
    const errA = perfect(a, relay(a, b), false)
    const errB = perfect(b, relay(b, a), true)
    const trackA = once(a, 'track').then(e => { remote.a = e.track })
    const trackB = once(b, 'track').then(e => { remote.b = e.track })
    const [va] = (await mediaDevices.getUserMedia({ video: { width: 160, height: 120 } })).getVideoTracks()
    const [ab] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    a.addTrack(va)
    b.addTrack(ab)
    await Promise.all([trackA, trackB])
    await until(remote.a, 'unmute', () => !remote.a.muted)
    await until(remote.b, 'unmute', () => !remote.b.muted)
    assert.equal(remote.a.kind, 'audio')
    assert.equal(remote.b.kind, 'video')
    await until(a, 'signalingstatechange', () => a.signalingState === 'stable')
    await until(b, 'signalingstatechange', () => b.signalingState === 'stable')
    assert.deepEqual([...errA, ...errB].filter(e => e.name !== 'InvalidStateError'), [])
    // Each side ends up with exactly the transceivers of the two tracks.
    assert.equal(a.getTransceivers().length, 2)
    assert.equal(b.getTransceivers().length, 2)
  })

  it('a remote track is sent on to a third peer, which receives media', async () => {
    const errors = []
    const a = makePc(); const b1 = makePc(); const b2 = makePc(); const c = makePc()
    trickle(a, b1, errors); trickle(b1, a, errors); trickle(b2, c, errors); trickle(c, b2, errors)
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } })
    for (const t of stream.getTracks()) a.addTrack(t, stream)
    const got = []
    b1.ontrack = e => got.push(e)
    await negotiate(a, b1)
    assert.equal(got.length, 2)
    // The relay: b1's remote tracks go out on b2, in the stream they came in.
    for (const e of got) b2.addTrack(e.track, e.streams[0])
    const atC = []
    c.ontrack = e => atC.push(e)
    await negotiate(b2, c)
    assert.equal(atC.length, 2)
    assert.equal(atC[0].streams[0].id, stream.id)
    for (const e of atC) await until(e.track, 'unmute', () => !e.track.muted)
    assert.deepEqual(atC.map(e => e.track.kind).sort(), ['audio', 'video'])
    assert.deepEqual(errors, [])
  })

  it('a stopped transceiver is not reused: addTrack makes a new m= section after it', async () => {
    const errors = []
    const a = makePc(); const b = makePc()
    trickle(a, b, errors); trickle(b, a, errors)
    const t1 = a.addTransceiver('audio')
    await negotiate(a, b)
    t1.stop()
    await negotiate(a, b)
    assert.deepEqual(a.getTransceivers(), [])
    const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    const sender = a.addTrack(track)
    const [t2] = a.getTransceivers()
    assert.equal(t2.sender, sender)
    assert.notEqual(t2, t1)
    await negotiate(a, b)
    assert.notEqual(t2.mid, null)
    assert.equal(t2.currentDirection, 'sendonly')
  })

  it('addTrack after removeTrack makes a new transceiver: one that has sent is never reused', async () => {
    const errors = []
    const a = makePc(); const b = makePc()
    trickle(a, b, errors); trickle(b, a, errors)
    const [t1] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    const s1 = a.addTrack(t1)
    await negotiate(a, b)
    const mid = a.getTransceivers()[0].mid
    a.removeTrack(s1)
    await negotiate(a, b)
    const t2 = t1.clone()
    const s2 = a.addTrack(t2)
    assert.notEqual(s2, s1)
    assert.equal(a.getTransceivers().length, 2)
    assert.equal(a.getTransceivers()[0].mid, mid)
    assert.equal(a.getTransceivers()[0].direction, 'recvonly')
    assert.ok(RTCPeerConnection)
  })
})
