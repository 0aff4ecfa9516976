'use strict'
// Shared helpers: two RTCPeerConnections in one process, connected with trickle ICE over loopback.
const assert = require('node:assert/strict')
const { RTCPeerConnection } = require('../..')

const live = new Set()

/** A new RTCPeerConnection that closeAll() will close. */
function makePc (config) {
  const pc = new RTCPeerConnection(config)
  live.add(pc)
  return pc
}

/** Closes every peer made by makePc()/pair(); call from afterEach. */
function closeAll () {
  for (const pc of live) pc.close()
  live.clear()
}

/** Resolves with the next `type` event on target (optionally the first one matching filter). */
function once (target, type, filter = () => true) {
  return new Promise(resolve => {
    const listener = e => {
      if (!filter(e)) return
      target.removeEventListener(type, listener)
      resolve(e)
    }
    target.addEventListener(type, listener)
  })
}

/** Resolves once `read()` is true, checking on every `type` event of target. */
function until (target, type, read) {
  if (read()) return Promise.resolve()
  return once(target, type, () => read()).then(() => {})
}

function delay (ms) { return new Promise(resolve => setTimeout(resolve, ms)) }

/** Forwards every icecandidate event (including the final null) from one pc to the other. */
function trickle (from, to, errors) {
  from.addEventListener('icecandidate', e => {
    if (to.signalingState === 'closed') return
    to.addIceCandidate(e.candidate).catch(err => { errors.push(err) })
  })
}

/**
 * Two peers (closed by closeAll) that trickle their candidates to each other; `errors` collects
 * addIceCandidate failures. `configB` defaults to `configA`.
 */
function trickledPeers (configA, configB = configA) {
  const a = makePc(configA)
  const b = makePc(configB)
  const errors = []
  trickle(a, b, errors)
  trickle(b, a, errors)
  return { a, b, errors }
}

/** One offer/answer round with implicit (parameterless) setLocalDescription. */
async function negotiate (offerer, answerer) {
  await offerer.setLocalDescription()
  await answerer.setRemoteDescription(offerer.localDescription)
  await answerer.setLocalDescription()
  await offerer.setRemoteDescription(answerer.localDescription)
}

/**
 * Connects two peers with trickle ICE and an in-band data channel created on `a`.
 * Returns {a, b, dcA, dcB, errors} once both channel ends are open.
 */
async function pair ({ config, label = 'data', init } = {}) {
  const { a, b, errors } = trickledPeers(config)
  const dcA = a.createDataChannel(label, init)
  const remote = once(b, 'datachannel').then(e => e.channel)
  const openA = once(dcA, 'open')
  await negotiate(a, b)
  await openA
  const dcB = await remote
  if (dcB.readyState !== 'open') await once(dcB, 'open')
  return { a, b, dcA, dcB, errors }
}

/** Asserts that a promise rejects with an error of that name (DOMException unless TypeError/RangeError). */
async function rejectsWith (promise, name) {
  await assert.rejects(promise, err => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`)
    if (name === 'TypeError' || name === 'RangeError') assert.ok(err instanceof globalThis[name])
    else assert.ok(err instanceof DOMException, `${name} should be a DOMException`)
    return true
  })
}

/** Asserts that fn throws synchronously with an error of that name. */
function throwsWith (fn, name) {
  assert.throws(fn, err => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`)
    if (name === 'TypeError' || name === 'RangeError') assert.ok(err instanceof globalThis[name])
    else assert.ok(err instanceof DOMException, `${name} should be a DOMException`)
    return true
  })
}

/** Records every `type` event on target into an array. */
function record (target, ...types) {
  const seen = []
  for (const type of types) target.addEventListener(type, e => { seen.push(e.type) })
  return seen
}

module.exports = { makePc, closeAll, once, until, delay, trickle, trickledPeers, negotiate, pair, rejectsWith, throwsWith, record }
