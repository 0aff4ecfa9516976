'use strict'
// Wrong argument types to every media method and setter: a TypeError with a message (a rejection
// for the promise-returning ones, never a synchronous throw) or the spec's own error, never a
// crash. Conversions follow WebIDL: strings stringify (a Symbol never does), numbers convert
// (a Symbol or BigInt does not), dictionaries are objects, undefined or null.
const assert = require('node:assert/strict')
const {
  MediaStream, MediaStreamTrack, RTCRtpSender, RTCRtpReceiver, RTCRtpTransceiver, mediaDevices
} = require('../..')
const { makePc, closeAll } = require('../helpers/pair')

// Values that are of no WebIDL interface type: each must be refused where an object is wanted.
const NOT_OBJECTS = { undefined, null: null, number: 1, NaN: NaN, bigint: 1n, boolean: true, string: 'x', symbol: Symbol('s') }
const WRONG_OBJECTS = {
  object: {},
  array: [],
  function: () => {},
  date: new Date(0),
  proxy: new Proxy({}, { get () { throw new Error('trap') } }),
  'null-prototype': Object.create(null),
  'fake track': Object.create(MediaStreamTrack.prototype),
  'fake stream': Object.create(MediaStream.prototype),
  'fake sender': Object.create(RTCRtpSender.prototype)
}
const BAD = { ...NOT_OBJECTS, ...WRONG_OBJECTS }
// Where a number or string is converted: only these cannot be.
const UNCONVERTIBLE = { symbol: Symbol('s'), bigint: 1n }

function isError (names) {
  return err => {
    // A throwing Proxy trap or getter: WebIDL conversion lets its error through.
    if (err instanceof Error && err.message === 'trap') return true
    assert.ok(err instanceof Error || err instanceof DOMException, `not an Error: ${String(err)}`)
    assert.ok(names.includes(err.name), `expected ${names.join(' or ')}, got ${err.name}: ${err.message}`)
    assert.ok(typeof err.message === 'string' && err.message.length > 0, `${err.name} without a message`)
    if (err.name === 'TypeError') assert.ok(err instanceof TypeError, 'a TypeError is a TypeError')
    return true
  }
}

function throwsWith (fn, what, names = ['TypeError']) {
  let value
  assert.throws(() => { value = fn() }, isError(names), what)
  return value
}

/** fn() must return a promise rejected with one of `names` (and not throw). */
async function rejectsWith (fn, what, names = ['TypeError']) {
  let promise
  assert.doesNotThrow(() => { promise = fn() }, `${what} threw synchronously`)
  assert.ok(promise instanceof Promise, `${what} returns a promise`)
  await assert.rejects(promise, isError(names), what)
}

let stream
before(async () => { stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 160, height: 120 } }) })
after(() => { for (const t of stream.getTracks()) t.stop() })

describe('wrong argument types: media', function () {
  this.timeout(20000)
  afterEach(closeAll)

  it('RTCPeerConnection.addTrack and removeTrack', () => {
    const pc = makePc()
    const [audio] = stream.getAudioTracks()
    throwsWith(() => pc.addTrack(), 'addTrack()')
    for (const [name, v] of Object.entries(BAD)) {
      throwsWith(() => pc.addTrack(v), `addTrack(${name})`)
      if (v !== undefined) throwsWith(() => pc.addTrack(audio, v), `addTrack(track, ${name})`)
      throwsWith(() => pc.removeTrack(v), `removeTrack(${name})`)
    }
    assert.equal(pc.getTransceivers().length, 0, 'failed calls add nothing')
    // The spec's errors: a sender of another connection, a track already added.
    const other = makePc()
    const sender = other.addTrack(audio)
    throwsWith(() => pc.removeTrack(sender), 'removeTrack(foreign sender)', ['InvalidAccessError'])
    throwsWith(() => other.addTrack(audio), 'addTrack twice', ['InvalidAccessError'])
    throwsWith(() => pc.addTrack(audio, stream, 'x'), 'addTrack(track, stream, string)')
  })

  it('RTCPeerConnection.addTransceiver', () => {
    const pc = makePc()
    throwsWith(() => pc.addTransceiver(), 'addTransceiver()')
    for (const [name, v] of Object.entries(BAD)) {
      if (typeof v === 'string') continue
      throwsWith(() => pc.addTransceiver(v), `addTransceiver(${name})`)
      if (name in NOT_OBJECTS && v !== undefined && v !== null) throwsWith(() => pc.addTransceiver('audio', v), `addTransceiver('audio', ${name})`)
      if (v !== undefined) {
        throwsWith(() => pc.addTransceiver('video', { direction: v }), `direction: ${name}`)
        if (!Array.isArray(v)) throwsWith(() => pc.addTransceiver('video', { streams: v }), `streams: ${name}`)
        throwsWith(() => pc.addTransceiver('video', { streams: [v] }), `streams: [${name}]`)
        if (!Array.isArray(v)) throwsWith(() => pc.addTransceiver('video', { sendEncodings: v }), `sendEncodings: ${name}`)
        if (v !== null && typeof v !== 'object' && typeof v !== 'function') {
          throwsWith(() => pc.addTransceiver('video', { sendEncodings: [v] }), `sendEncodings: [${name}]`)
        }
      }
    }
    for (const [name, v] of Object.entries(UNCONVERTIBLE)) {
      for (const key of ['rid', 'maxBitrate', 'maxFramerate', 'scaleResolutionDownBy', 'priority', 'scalabilityMode']) {
        if (typeof v === 'bigint' && (key === 'rid' || key === 'scalabilityMode')) continue // a DOMString: BigInt converts
        throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ [key]: v }] }), `sendEncodings: [{${key}: ${name}}]`)
      }
    }
    throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ maxBitrate: -1 }] }), 'maxBitrate -1', ['TypeError', 'RangeError'])
    throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ scaleResolutionDownBy: 'x' }] }), 'scaleResolutionDownBy NaN', ['TypeError', 'RangeError'])
    throwsWith(() => pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'stopped' }), "direction 'stopped'")
    assert.equal(pc.getTransceivers().length, 0, 'failed calls add nothing')
  })

  for (const [kind, count] of [['video', 100], ['audio', 2]]) {
    it(`addTransceiver('${kind}') with ${count} simulcast encodings: trimmed (webrtc-pc) or refused, and the offer still works`, async () => {
      const pc = makePc()
      let t
      try {
        t = pc.addTransceiver(kind, { sendEncodings: Array.from({ length: count }, (_, i) => ({ rid: `r${i}` })) })
      } catch (err) {
        isError(['TypeError', 'RangeError', 'OperationError', 'InvalidAccessError', 'NotSupportedError'])(err)
        return
      }
      await pc.setLocalDescription()
      const n = t.sender.getParameters().encodings.length
      assert.ok(n >= 1 && n <= count, String(n))
      assert.match(pc.localDescription.sdp, new RegExp(`^m=${kind} `, 'm'))
    })
  }

  it('RTCRtpSender.replaceTrack, setParameters, setStreams, getCapabilities', async () => {
    const pc = makePc()
    const sender = pc.addTrack(stream.getVideoTracks()[0])
    await pc.setLocalDescription()
    assert.equal(sender.getParameters().encodings.length, 1)
    await rejectsWith(() => sender.replaceTrack(), 'replaceTrack()')
    for (const [name, v] of Object.entries(BAD)) {
      if (v === null) continue
      await rejectsWith(() => sender.replaceTrack(v), `replaceTrack(${name})`)
      await rejectsWith(() => sender.setParameters(v), `setParameters(${name})`, ['TypeError', 'InvalidStateError', 'InvalidModificationError'])
      if (v !== undefined) throwsWith(() => sender.setStreams(v), `setStreams(${name})`)
      if (typeof v === 'symbol') throwsWith(() => RTCRtpSender.getCapabilities(v), `getCapabilities(${name})`)
    }
    await rejectsWith(() => sender.replaceTrack(stream.getAudioTracks()[0]), 'replaceTrack(wrong kind)')
    await rejectsWith(() => sender.setParameters(), 'setParameters()')
    // Parameters from getParameters() with wrong types in them.
    const mutations = {
      'encodings: string': p => { p.encodings = 'x' },
      'encodings: [null]': p => { p.encodings = [null] },
      'maxBitrate: Symbol': p => { p.encodings[0].maxBitrate = Symbol('b') },
      'maxBitrate: BigInt': p => { p.encodings[0].maxBitrate = 1n },
      'maxFramerate: NaN': p => { p.encodings[0].maxFramerate = NaN },
      'scaleResolutionDownBy: Infinity': p => { p.encodings[0].scaleResolutionDownBy = Infinity },
      'priority: bogus': p => { p.encodings[0].priority = 'bogus' },
      'degradationPreference: Symbol': p => { p.degradationPreference = Symbol('d') },
      'degradationPreference: bogus': p => { p.degradationPreference = 'bogus' },
      'transactionId: object': p => { p.transactionId = {} },
      'codecs: string': p => { p.codecs = 'x' }
    }
    for (const [what, mutate] of Object.entries(mutations)) {
      const p = sender.getParameters()
      mutate(p)
      await rejectsWith(() => sender.setParameters(p), `setParameters(${what})`, ['TypeError', 'RangeError', 'InvalidModificationError'])
    }
    await rejectsWith(() => sender.setParameters({ ...sender.getParameters(), encodings: [{ get maxBitrate () { throw new TypeError('getter') } }] }),
      'setParameters(throwing getter)')
  })

  it('RTCRtpTransceiver.direction, setCodecPreferences; RTCRtpReceiver.jitterBufferTarget, getCapabilities', () => {
    const pc = makePc()
    const t = pc.addTransceiver('audio')
    for (const [name, v] of Object.entries(BAD)) {
      if (typeof v !== 'string') throwsWith(() => { t.direction = v }, `direction = ${name}`)
      if (v !== undefined && !Array.isArray(v)) throwsWith(() => t.setCodecPreferences(v), `setCodecPreferences(${name})`)
      if (v !== null && v !== undefined) throwsWith(() => t.setCodecPreferences([v]), `setCodecPreferences([${name}])`)
      if (typeof v === 'symbol' || typeof v === 'bigint') throwsWith(() => { t.receiver.jitterBufferTarget = v }, `jitterBufferTarget = ${name}`)
      if (typeof v === 'symbol') throwsWith(() => RTCRtpReceiver.getCapabilities(v), `getCapabilities(${name})`)
    }
    throwsWith(() => { t.direction = 'stopped' }, "direction = 'stopped'")
    throwsWith(() => t.setCodecPreferences(), 'setCodecPreferences()')
    throwsWith(() => t.setCodecPreferences([{ mimeType: Symbol('m'), clockRate: 48000 }]), 'mimeType: Symbol')
    throwsWith(() => t.setCodecPreferences([{ mimeType: 'audio/opus', clockRate: '48000' }]), 'clockRate: string', ['TypeError', 'InvalidModificationError'])
    throwsWith(() => t.setCodecPreferences([{ mimeType: 'audio/nope', clockRate: 1 }]), 'unknown codec', ['InvalidModificationError'])
    throwsWith(() => t.setCodecPreferences([{ mimeType: 'opus', clockRate: 48000 }]), 'mimeType without a slash', ['TypeError', 'InvalidModificationError'])
    throwsWith(() => { t.receiver.jitterBufferTarget = 'abc' }, 'jitterBufferTarget = NaN', ['TypeError', 'RangeError'])
    throwsWith(() => { t.receiver.jitterBufferTarget = -1 }, 'jitterBufferTarget = -1', ['RangeError'])
    assert.equal(t.direction, 'sendrecv', 'failed sets change nothing')
    assert.equal(RTCRtpReceiver.getCapabilities('data'), null)
    throwsWith(() => new RTCRtpTransceiver(), 'new RTCRtpTransceiver()')
    throwsWith(() => new RTCRtpSender(), 'new RTCRtpSender()')
    throwsWith(() => new RTCRtpReceiver(), 'new RTCRtpReceiver()')
  })

  it('MediaStream: constructor, addTrack, removeTrack, getTrackById', () => {
    for (const [name, v] of Object.entries(BAD)) {
      if (v === undefined) continue
      if (!Array.isArray(v)) throwsWith(() => new MediaStream(v), `new MediaStream(${name})`)
      throwsWith(() => new MediaStream([v]), `new MediaStream([${name}])`)
      const s = new MediaStream()
      throwsWith(() => s.addTrack(v), `addTrack(${name})`)
      throwsWith(() => s.removeTrack(v), `removeTrack(${name})`)
      assert.equal(s.getTracks().length, 0)
    }
    const s = new MediaStream()
    throwsWith(() => s.addTrack(), 'addTrack()')
    throwsWith(() => s.getTrackById(), 'getTrackById()')
    throwsWith(() => s.getTrackById(Symbol('id')), 'getTrackById(Symbol)')
    assert.equal(s.getTrackById({}), null)
  })

  it('MediaStreamTrack: constructor, contentHint, enabled, applyConstraints', async () => {
    const track = stream.getVideoTracks()[0].clone()
    try {
      throwsWith(() => new MediaStreamTrack(), 'new MediaStreamTrack()')
      throwsWith(() => { track.contentHint = Symbol('h') }, 'contentHint = Symbol')
      track.contentHint = {} // stringified: not a hint, ignored
      assert.equal(track.contentHint, '')
      track.enabled = Symbol('e') // WebIDL boolean: true
      assert.equal(track.enabled, true)
      for (const [name, v] of Object.entries(NOT_OBJECTS)) {
        if (v === undefined || v === null) continue
        await rejectsWith(() => track.applyConstraints(v), `applyConstraints(${name})`)
      }
      for (const [name, v] of Object.entries({ ...UNCONVERTIBLE, string: 'x' })) {
        for (const key of ['width', 'height', 'frameRate', 'aspectRatio']) {
          for (const shape of [w => w, w => ({ exact: w }), w => ({ ideal: w }), w => ({ min: w, max: w })]) {
            await rejectsWith(() => track.applyConstraints({ [key]: shape(v) }), `applyConstraints({${key}: ${name}})`)
          }
        }
      }
      // Members WebIDL drops (a function) or reads as empty (a Proxy without own keys): no error needed.
      for (const [name, v] of Object.entries({ proxy: WRONG_OBJECTS.proxy, function: () => {} })) {
        await settledSafely(track.applyConstraints({ width: v, advanced: [{ height: v }] }), `applyConstraints({width: ${name}})`)
      }
      await rejectsWith(() => track.applyConstraints({ width: { exact: 1n } }), 'BigInt in a range')
      const cyclic = { width: 320 }
      cyclic.advanced = [cyclic]
      await rejectsWith(() => track.applyConstraints(cyclic), 'cyclic constraints')
      await rejectsWith(() => track.applyConstraints({ width: { exact: -5 } }), 'width exact -5', ['OverconstrainedError'])
      await rejectsWith(() => track.applyConstraints({ advanced: 'x' }), 'advanced: string', ['TypeError'])
      const s = track.getSettings()
      assert.ok(s.width > 0 && s.height > 0, 'the track is intact: ' + JSON.stringify(s))
    } finally {
      track.stop()
    }
  })

  it('mediaDevices.getUserMedia', async () => {
    await rejectsWith(() => mediaDevices.getUserMedia(), 'getUserMedia()')
    await rejectsWith(() => mediaDevices.getUserMedia({}), 'getUserMedia({})')
    await rejectsWith(() => mediaDevices.getUserMedia({ audio: false, video: false }), 'nothing requested')
    for (const [name, v] of Object.entries(NOT_OBJECTS)) {
      if (v === undefined || v === null) continue
      await rejectsWith(() => mediaDevices.getUserMedia(v), `getUserMedia(${name})`)
    }
    await rejectsWith(() => mediaDevices.getUserMedia({ video: () => {} }), 'video: function')
    for (const [name, v] of Object.entries({ ...UNCONVERTIBLE, proxy: WRONG_OBJECTS.proxy, string: 'x' })) {
      for (const [kind, key] of [['video', 'width'], ['video', 'frameRate'], ['video', 'facingMode'], ['video', 'deviceId'],
        ['audio', 'sampleRate'], ['audio', 'channelCount'], ['audio', 'deviceId'], ['audio', 'echoCancellation']]) {
        for (const shape of [w => w, w => ({ exact: w }), w => ({ ideal: w })]) {
          await settledSafely(mediaDevices.getUserMedia({ [kind]: { [key]: shape(v) } }), `getUserMedia({${kind}: {${key}: ${name}}})`)
        }
      }
    }
    await rejectsWith(() => mediaDevices.getUserMedia({ video: { width: { exact: 1e9 } } }), 'width 1e9', ['OverconstrainedError'])
    await rejectsWith(() => mediaDevices.getUserMedia({ video: { deviceId: { exact: 'nope' } } }), 'unknown device', ['OverconstrainedError'])
    // Still works afterwards.
    const s = await mediaDevices.getUserMedia({ video: true })
    for (const t of s.getTracks()) t.stop()
  })
})

// A constraint of a wrong type is a TypeError or OverconstrainedError, or is ignored (a
// stream): any stream made is stopped. Never a synchronous throw, never a crash.
async function settledSafely (promise, what) {
  assert.ok(promise instanceof Promise, what)
  try {
    const s = await promise
    if (s) for (const t of s.getTracks()) t.stop()
  } catch (err) {
    isError(['TypeError', 'OverconstrainedError', 'Error'])(err)
  }
}
