'use strict'
// Connects two peer connections of one stack in one process (trickle ICE, an in-band data
// channel created on `a`), using only the W3C API so that every stack runs the same steps.

/** Resolves with the channel once it is open (at once if it already is). */
function whenOpen (dc) {
  if (dc.readyState === 'open') return Promise.resolve(dc)
  return new Promise((resolve, reject) => {
    dc.onopen = () => resolve(dc)
    dc.onclose = () => reject(new Error('channel closed before open'))
  })
}

/**
 * Forwards `from`'s candidates to `to`, holding them until `to` has a remote description
 * (adding a candidate before that is an error in the spec, and some stacks enforce it).
 */
function trickle (from, to) {
  const held = []
  let ready = false
  const add = c => {
    const init = typeof c.toJSON === 'function' ? c.toJSON() : c
    Promise.resolve(to.addIceCandidate(init)).catch(() => {})
  }
  from.onicecandidate = e => {
    if (!e.candidate || !e.candidate.candidate) return
    if (ready) add(e.candidate)
    else held.push(e.candidate)
  }
  return () => { ready = true; for (const c of held.splice(0)) add(c) }
}

/**
 * Creates and connects a pair. Returns { a, b, dcA, dcB, ms } where ms is the time from
 * createOffer until the channel is open on both sides.
 */
async function connectPair (RTCPeerConnection, config, init) {
  const a = new RTCPeerConnection({ ...config })
  const b = new RTCPeerConnection({ ...config })
  const readyB = trickle(a, b)
  const readyA = trickle(b, a)
  const dcA = a.createDataChannel('bench', init)
  const remote = new Promise(resolve => { b.ondatachannel = e => resolve(e.channel) })
  const t0 = performance.now()
  const openA = whenOpen(dcA)
  const openB = remote.then(whenOpen)
  const offer = await a.createOffer()
  await a.setLocalDescription(offer)
  await b.setRemoteDescription(offer)
  readyB()
  const answer = await b.createAnswer()
  await b.setLocalDescription(answer)
  await a.setRemoteDescription(answer)
  readyA()
  const [, dcB] = await Promise.all([openA, openB])
  return { a, b, dcA, dcB, ms: performance.now() - t0 }
}

function closePair ({ a, b }) {
  try { a.close() } catch {}
  try { b.close() } catch {}
}

module.exports = { connectPair, closePair, whenOpen, trickle }
