'use strict'
// The legacy stream API, over transceivers as Chromium has it under Unified Plan: addStream,
// removeStream, getLocalStreams, getRemoteStreams, addstream/removestream (MediaStreamEvent),
// and the stream's later addTrack/removeTrack followed by the connection.
const assert = require('node:assert/strict')
const { MediaStream, MediaStreamEvent, mediaDevices } = require('../..')
const { makePc, closeAll, once, trickle, negotiate, throwsWith } = require('../helpers/pair')

function connected () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  return { a, b, errors }
}

describe('media: legacy stream API', function () {
  this.timeout(30000)
  const tracks = []
  afterEach(() => { for (const t of tracks.splice(0)) t.stop(); closeAll() })
  async function camMic () {
    const s = await mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } })
    tracks.push(...s.getTracks())
    return s
  }

  it('addStream adds a sender per track with the stream; getLocalStreams lists it once', async () => {
    const pc = makePc()
    const stream = await camMic()
    assert.deepEqual(pc.getLocalStreams(), [])
    pc.addStream(stream)
    const senders = pc.getSenders()
    assert.equal(senders.length, 2)
    assert.deepEqual(senders.map(s => s.track).sort((x, y) => x.kind.localeCompare(y.kind)),
      stream.getTracks().sort((x, y) => x.kind.localeCompare(y.kind)))
    assert.deepEqual(pc.getLocalStreams(), [stream])
    // Again: its tracks already have senders, nothing changes and nothing throws.
    pc.addStream(stream)
    assert.equal(pc.getSenders().length, 2)
    assert.deepEqual(pc.getLocalStreams(), [stream])
    // addTrack with streams counts too.
    const other = new MediaStream()
    const [extra] = (await mediaDevices.getUserMedia({ audio: true })).getTracks()
    tracks.push(extra)
    pc.addTrack(extra, other)
    assert.deepEqual(pc.getLocalStreams(), [stream, other])
  })

  it("the stream's later addTrack / removeTrack add and remove senders", async () => {
    const pc = makePc()
    const stream = new MediaStream()
    pc.addStream(stream)
    assert.equal(pc.getSenders().length, 0)
    const [track] = (await mediaDevices.getUserMedia({ audio: true })).getTracks()
    tracks.push(track)
    stream.addTrack(track)
    assert.equal(pc.getSenders().length, 1)
    assert.equal(pc.getSenders()[0].track, track)
    assert.deepEqual(pc.getLocalStreams(), [stream])
    stream.removeTrack(track)
    assert.equal(pc.getSenders()[0].track, null)
    assert.deepEqual(pc.getLocalStreams(), [])
    // After removeStream the stream is no longer followed.
    pc.removeStream(stream)
    stream.addTrack(track)
    assert.equal(pc.getSenders()[0].track, null)
  })

  it('removeStream removes only the senders added with that stream', async () => {
    const pc = makePc()
    const stream = await camMic()
    pc.addStream(stream)
    const [solo] = (await mediaDevices.getUserMedia({ audio: true })).getTracks()
    tracks.push(solo)
    const soloSender = pc.addTrack(solo)
    pc.removeStream(stream)
    assert.deepEqual(pc.getSenders().filter(s => s.track !== null), [soloSender])
    assert.deepEqual(pc.getLocalStreams(), [])
    // A stream never added: nothing happens.
    pc.removeStream(new MediaStream())
  })

  it('argument and state errors: TypeError, InvalidStateError once closed', async () => {
    const pc = makePc()
    assert.throws(() => pc.addStream(), TypeError)
    assert.throws(() => pc.addStream({}), TypeError)
    assert.throws(() => pc.removeStream(null), TypeError)
    pc.close()
    throwsWith(() => pc.addStream(new MediaStream()), 'InvalidStateError')
    throwsWith(() => pc.removeStream(new MediaStream()), 'InvalidStateError')
    assert.deepEqual(pc.getLocalStreams(), [])
    assert.deepEqual(pc.getRemoteStreams(), [])
  })

  it('remote side: addstream before track, getRemoteStreams, removestream when the tracks leave', async () => {
    const { a, b } = connected()
    const stream = await camMic()
    a.addStream(stream)
    const order = []
    b.onaddstream = e => order.push(['addstream', e.stream.id, e.stream.getTracks().length])
    b.ontrack = e => order.push(['track', e.streams[0].id])
    await negotiate(a, b)
    assert.deepEqual(order, [['addstream', stream.id, 2], ['track', stream.id], ['track', stream.id]])
    const [remote] = b.getRemoteStreams()
    assert.equal(b.getRemoteStreams().length, 1)
    assert.equal(remote.id, stream.id)
    assert.ok(remote instanceof MediaStream)
    assert.deepEqual(a.getRemoteStreams(), [])

    const removed = once(b, 'removestream')
    a.removeStream(stream)
    await negotiate(a, b)
    const e = await removed
    assert.ok(e instanceof MediaStreamEvent)
    assert.equal(e.stream, remote)
    assert.deepEqual(b.getRemoteStreams(), [])
  })

  it('the stream keeps following: a track added to a sent stream arrives in the same remote stream', async () => {
    const { a, b } = connected()
    const stream = new MediaStream()
    const [audio] = (await mediaDevices.getUserMedia({ audio: true })).getTracks()
    tracks.push(audio)
    stream.addTrack(audio)
    a.addStream(stream)
    const added = once(b, 'addstream')
    await negotiate(a, b)
    const remote = (await added).stream
    const [video] = (await mediaDevices.getUserMedia({ video: true })).getTracks()
    tracks.push(video)
    stream.addTrack(video)
    const addtrack = once(remote, 'addtrack')
    let again = false
    b.onaddstream = () => { again = true }
    await negotiate(a, b)
    assert.equal((await addtrack).track.kind, 'video')
    assert.equal(again, false, 'the remote stream is not added twice')
    assert.equal(b.getRemoteStreams().length, 1)
  })

  it('MediaStreamEvent constructor', () => {
    const s = new MediaStream()
    const e = new MediaStreamEvent('addstream', { stream: s })
    assert.equal(e.type, 'addstream')
    assert.equal(e.stream, s)
    assert.equal(new MediaStreamEvent('x').stream, null)
    assert.equal(new MediaStreamEvent('x', { stream: null }).stream, null)
    assert.throws(() => new MediaStreamEvent(), TypeError)
    assert.throws(() => new MediaStreamEvent('x', { stream: {} }), TypeError)
    assert.ok(e instanceof Event)
  })

  it('getStreamById is not there (as in Chromium, which removed it)', () => {
    const pc = makePc()
    assert.equal(typeof pc.getStreamById, 'undefined')
  })
})
