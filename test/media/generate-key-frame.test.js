'use strict'
// webrtc-encoded-transform's key-frame calls on a transformer in a Worker: generateKeyFrame() on a
// video sender makes the encoder send a key frame (libwebrtc's encoders here send one only every
// 3,000 pictures on their own) and resolves with its timestamp once it went through the
// transformer; calls before it share it; the cases the spec (and wpt) list reject with its names.
// sendKeyFrameRequest() on a video receiver, as Chromium has it.
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { mediaDevices, RTCRtpScriptTransform } = require('../..')
const { makePc, closeAll, trickle, negotiate } = require('../helpers/pair')

const WORKER = path.join(__dirname, 'fixtures', 'keyframe-worker.js')
const VIDEO = { video: { width: 320, height: 240, frameRate: 30 } }
const VGA = { video: { width: 640, height: 480, frameRate: 30 } } // libwebrtc's smallest for 2 layers

function connected () {
  const a = makePc(); const b = makePc()
  trickle(a, b, []); trickle(b, a, [])
  return { a, b }
}

describe('media: generateKeyFrame() and sendKeyFrameRequest()', function () {
  this.timeout(30000)
  let worker
  let nextId = 1
  const waiting = new Map()
  const ready = new Map()
  beforeEach(() => {
    worker = new Worker(WORKER)
    worker.on('message', m => {
      if (m.id !== undefined) { waiting.get(m.id)?.(m); waiting.delete(m.id) }
      if (m.ready && m.name) ready.get(m.name)?.()
    })
  })
  afterEach(async () => {
    closeAll()
    await worker.terminate()
  })

  const ask = (name, call, rid) => new Promise(resolve => {
    const id = nextId++
    waiting.set(id, resolve)
    worker.postMessage({ name, call, rid, id })
  })
  const transform = (name) => {
    const up = new Promise(resolve => ready.set(name, resolve))
    return { transform: new RTCRtpScriptTransform(worker, { name }), up }
  }
  // Until the transformer has seen `n` frames.
  async function framesSeen (name, n) {
    for (;;) {
      const r = await ask(name, 'stats')
      if (r.frames >= n) return r
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  // With `simulcast`, the answer (libwebrtc answers without simulcast) is made to take the rids.
  // The promise resolves just before the key frame is enqueued on readable: the transformer's
  // pipe sees it a few tasks later.
  async function seesKey (name, timestamp) {
    for (let i = 0; i < 40; i++) {
      const r = await ask(name, 'stats')
      if (r.keyTimestamps.includes(timestamp)) return true
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    return false
  }

  async function videoCall (init, simulcast) {
    const { a, b } = connected()
    const [track] = (await mediaDevices.getUserMedia(simulcast ? VGA : VIDEO)).getVideoTracks()
    const t = init ? a.addTransceiver(track, init) : a.addTransceiver(track, { direction: 'sendonly' })
    const send = transform('send')
    t.sender.transform = send.transform
    if (simulcast) {
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      const rids = simulcast.map(r => `a=rid:${r} recv\r\n`).join('')
      const sdp = b.localDescription.sdp.replace(/(m=video[^]*?)(a=rtcp-fb)/, `$1${rids}a=simulcast:recv ${simulcast.join(';')}\r\n$2`)
      await a.setRemoteDescription({ type: 'answer', sdp })
    } else {
      await negotiate(a, b)
    }
    await send.up
    return { a, b, t, track }
  }

  it('a video sender: the key frame comes through within a short time; the promise gives its timestamp', async () => {
    const { b } = await videoCall()
    const recv = transform('receive')
    b.getTransceivers()[0].receiver.transform = recv.transform
    await framesSeen('send', 30)
    const before = await ask('send', 'stats')
    const first = await ask('send', 'generateKeyFrame')
    assert.equal(first.ok, true, first.message)
    assert.equal(typeof first.value, 'number')
    assert.ok(await seesKey('send', first.value), 'resolves with the timestamp of a key frame that goes through')
    assert.ok((await ask('send', 'stats')).keys > before.keys)
    // again: a new key frame, a new timestamp
    const second = await ask('send', 'generateKeyFrame')
    assert.equal(second.ok, true, second.message)
    assert.ok(await seesKey('send', second.value))
    assert.notEqual(second.value, first.value)
    // two calls before the key frame share it
    const [c, d] = await Promise.all([ask('send', 'generateKeyFrame'), ask('send', 'generateKeyFrame')])
    assert.equal(c.ok && d.ok, true)
    assert.equal(c.value, d.value)
    // the receiver's transformer asks the remote sender; generateKeyFrame is the sender's
    await recv.up
    assert.deepEqual([(await ask('receive', 'sendKeyFrameRequest')).ok, (await ask('send', 'sendKeyFrameRequest')).error], [true, 'InvalidStateError'])
    assert.equal((await ask('receive', 'generateKeyFrame')).error, 'InvalidStateError')
  })

  it('rids: malformed NotAllowedError, unknown NotFoundError; each simulcast layer on its own', async () => {
    const { a } = await videoCall({
      direction: 'sendonly',
      sendEncodings: [{ rid: 'lo', scaleResolutionDownBy: 2 }, { rid: 'hi' }]
    }, ['lo', 'hi'])
    await framesSeen('send', 20)
    for (const rid of ['', '!?', 'foo-bar', 'foo_bar', 'a'.repeat(256)]) {
      assert.equal((await ask('send', 'generateKeyFrame', rid)).error, 'NotAllowedError', `rid '${rid}'`)
    }
    assert.equal((await ask('send', 'generateKeyFrame', 'foo')).error, 'NotFoundError')
    assert.equal(a.getTransceivers()[0].sender.getParameters().encodings.length, 2)
    for (const rid of ['lo', 'hi', undefined]) {
      const r = await ask('send', 'generateKeyFrame', rid)
      assert.equal(r.ok, true, `${rid}: ${r.message}`)
      assert.ok(await seesKey('send', r.value))
    }
    assert.equal(Object.keys((await ask('send', 'stats')).keysBySsrc).length, 2, 'both layers went through')
  })

  it('not sending: a null track, the transform unset, a stopped transceiver, audio: InvalidStateError', async () => {
    {
      const { t } = await videoCall()
      await framesSeen('send', 5)
      assert.equal((await ask('send', 'generateKeyFrame')).ok, true)
      await t.sender.replaceTrack(null)
      assert.equal((await ask('send', 'generateKeyFrame')).error, 'InvalidStateError')
      await t.sender.replaceTrack((await mediaDevices.getUserMedia(VIDEO)).getVideoTracks()[0])
      assert.equal((await ask('send', 'generateKeyFrame')).ok, true)
      t.sender.transform = null
      assert.equal((await ask('send', 'generateKeyFrame')).error, 'InvalidStateError')
    }
    closeAll()
    {
      ready.clear()
      const { t } = await videoCall()
      await framesSeen('send', 5)
      t.stop()
      assert.equal((await ask('send', 'generateKeyFrame')).error, 'InvalidStateError')
    }
    closeAll()
    {
      ready.clear()
      const { a, b } = connected()
      const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
      const t = a.addTransceiver(track, { direction: 'sendonly' })
      const send = transform('send')
      t.sender.transform = send.transform
      await negotiate(a, b)
      await send.up
      await framesSeen('send', 5)
      assert.equal((await ask('send', 'generateKeyFrame')).error, 'InvalidStateError')
      assert.equal((await ask('send', 'sendKeyFrameRequest')).error, 'InvalidStateError')
    }
  })

  it('sendKeyFrameRequest(): InvalidStateError once the transform is unset or the transceiver stopped', async () => {
    for (const end of ['unset', 'stop']) {
      const { b } = await videoCall()
      const t = b.getTransceivers()[0]
      const recv = transform('receive')
      t.receiver.transform = recv.transform
      await recv.up
      await framesSeen('receive', 3)
      assert.equal((await ask('receive', 'sendKeyFrameRequest')).ok, true)
      if (end === 'unset') t.receiver.transform = null
      else t.stop()
      assert.equal((await ask('receive', 'sendKeyFrameRequest')).error, 'InvalidStateError', end)
      closeAll()
    }
  })

  it('negotiated inactive: InvalidStateError; sending again: it works again', async () => {
    const { a, b, t } = await videoCall()
    await framesSeen('send', 5)
    t.direction = 'inactive'
    await negotiate(a, b)
    assert.equal((await ask('send', 'generateKeyFrame')).error, 'InvalidStateError')
    t.direction = 'sendonly'
    await negotiate(a, b)
    const again = await ask('send', 'generateKeyFrame')
    assert.equal(again.ok, true, again.message)
  })
})
