'use strict'
// Wrong argument types to every public method: a TypeError with a message (a rejection for the
// promise-returning ones, never a synchronous throw), never a crash. Conversions follow WebIDL:
// strings stringify (but a Symbol is never a string), dictionaries are objects/undefined/null.
const assert = require('node:assert/strict')
const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate } = require('../..')
const { makePc, closeAll, pair } = require('../helpers/pair')

const PRIMITIVES = { number: 1, NaN: NaN, bigint: 1n, boolean: true, string: 'x', symbol: Symbol('s') }

function isTypeError (err) {
  assert.ok(err instanceof TypeError, `expected TypeError, got ${err && err.name}: ${err && err.message}`)
  assert.ok(err.message.length > 0, 'the TypeError has a message')
  return true
}

/** fn() must return a promise that rejects with a TypeError (and not throw). */
async function rejectsType (fn, what) {
  let promise
  assert.doesNotThrow(() => { promise = fn() }, `${what} threw synchronously`)
  assert.ok(promise instanceof Promise, `${what} returns a promise`)
  await assert.rejects(promise, isTypeError, what)
}

describe('wrong argument types', () => {
  afterEach(closeAll)

  it('constructors: RTCPeerConnection, RTCSessionDescription, RTCIceCandidate', () => {
    for (const [name, v] of Object.entries(PRIMITIVES)) {
      assert.throws(() => new RTCPeerConnection(v), isTypeError, `RTCPeerConnection(${name})`)
      assert.throws(() => new RTCSessionDescription(v), isTypeError, `RTCSessionDescription(${name})`)
      assert.throws(() => new RTCIceCandidate(v), isTypeError, `RTCIceCandidate(${name})`)
    }
    assert.throws(() => new RTCPeerConnection({ iceServers: 'stun:x' }), isTypeError)
    assert.throws(() => new RTCPeerConnection({ iceServers: [{ urls: Symbol('u') }] }), isTypeError)
    assert.throws(() => new RTCPeerConnection({ iceTransportPolicy: Symbol('p') }), isTypeError)
    assert.throws(() => new RTCPeerConnection({ iceCandidatePoolSize: 1n }), isTypeError)
    assert.throws(() => new RTCSessionDescription({ type: Symbol('t') }), isTypeError)
    assert.throws(() => new RTCSessionDescription({ type: 'offer', sdp: Symbol('s') }), isTypeError)
    assert.throws(() => new RTCIceCandidate({ sdpMid: Symbol('m') }), isTypeError)
    assert.throws(() => new RTCIceCandidate({ sdpMLineIndex: 0n }), isTypeError)
    assert.throws(() => new RTCIceCandidate({ sdpMid: '0', candidate: Symbol('c') }), isTypeError)
  })

  it('promise-returning methods reject (never throw) with TypeError', async () => {
    const pc = makePc()
    for (const [name, v] of Object.entries(PRIMITIVES)) {
      if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'symbol') {
        await rejectsType(() => pc.createOffer(v), `createOffer(${name})`)
        await rejectsType(() => pc.createAnswer(v), `createAnswer(${name})`)
        await rejectsType(() => pc.setLocalDescription(v), `setLocalDescription(${name})`)
        await rejectsType(() => pc.setRemoteDescription(v), `setRemoteDescription(${name})`)
        await rejectsType(() => pc.addIceCandidate(v), `addIceCandidate(${name})`)
      }
    }
    await rejectsType(() => pc.setRemoteDescription(), 'setRemoteDescription()')
    await rejectsType(() => pc.setRemoteDescription({ type: 'nope', sdp: '' }), 'bad RTCSdpType')
    await rejectsType(() => pc.setRemoteDescription({ type: 'offer', sdp: Symbol('s') }), 'Symbol sdp')
    await rejectsType(() => pc.setLocalDescription({ type: Symbol('t') }), 'Symbol type')
    await rejectsType(() => pc.addIceCandidate({ candidate: Symbol('c'), sdpMid: '0' }), 'Symbol candidate')
    await rejectsType(() => pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 1n }), 'BigInt index')
    await rejectsType(() => pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' }), 'no sdpMid/index')
    // Legacy forms with a bad callback.
    await rejectsType(() => pc.createOffer(() => {}), 'createOffer(success) without failure')
    await rejectsType(() => pc.setLocalDescription({ type: 'offer' }, () => {}, 42), 'setLocalDescription(d, success, 42)')
    // A getter that throws propagates its own error as a rejection, too.
    const throwing = { get type () { throw new RangeError('getter') } }
    let p
    assert.doesNotThrow(() => { p = pc.setRemoteDescription(throwing) })
    await assert.rejects(p, RangeError)
    assert.equal(pc.signalingState, 'stable', 'nothing was applied')
  })

  it('synchronous methods throw TypeError: createDataChannel, setConfiguration', () => {
    const pc = makePc()
    assert.throws(() => pc.createDataChannel(), isTypeError)
    assert.throws(() => pc.createDataChannel(Symbol('l')), isTypeError)
    assert.throws(() => pc.createDataChannel('l', { protocol: Symbol('p') }), isTypeError)
    assert.throws(() => pc.createDataChannel('l', { priority: 'urgent' }), isTypeError)
    assert.throws(() => pc.createDataChannel('l', { negotiated: true, id: 1n }), isTypeError)
    assert.throws(() => pc.createDataChannel('l', { maxRetransmits: Symbol('r') }), isTypeError)
    assert.throws(() => pc.createDataChannel('l', { maxPacketLifeTime: -1 }), isTypeError)
    for (const [name, v] of Object.entries(PRIMITIVES)) {
      assert.throws(() => pc.setConfiguration(v), isTypeError, `setConfiguration(${name})`)
    }
    // WebIDL DOMString: other values stringify.
    assert.equal(pc.createDataChannel(42).label, '42')
    assert.equal(pc.createDataChannel(null).label, 'null')
    assert.equal(pc.signalingState, 'stable')
  })

  it('RTCDataChannel.send() and attributes', async () => {
    const { dcA, dcB } = await pair()
    assert.throws(() => dcA.send(), isTypeError)
    assert.throws(() => dcA.send(Symbol('m')), isTypeError)
    assert.throws(() => dcA.send(new SharedArrayBuffer(4)), isTypeError)
    assert.throws(() => { dcA.bufferedAmountLowThreshold = 1n }, isTypeError)
    dcA.binaryType = Symbol('b') // an enum attribute ignores invalid values
    assert.equal(dcA.binaryType, 'arraybuffer')
    // The channel still works.
    const got = new Promise(resolve => { dcB.onmessage = e => resolve(e.data) })
    dcA.send({ toString () { return 'stringified' } })
    assert.equal(await got, 'stringified')
  })
})
