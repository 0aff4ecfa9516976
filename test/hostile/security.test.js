'use strict'
// DTLS authenticates the peer named by the SDP fingerprint: a certificate that does not match never
// gets a connection, and no data-channel event or message comes before DTLS is up.
const assert = require('node:assert/strict')
const { closeAll, delay, trickledPeers, pair } = require('../helpers/pair')
const { nonstandard } = require('../..')

/** The SDP with one hex digit of every a=fingerprint changed (same algorithm and length). */
function tamperFingerprint (sdp) {
  const out = sdp.replace(/^(a=fingerprint:\S+ )([0-9A-F]{2})/gim, (m, head, byte) =>
    head + ((parseInt(byte, 16) ^ 0x01).toString(16).toUpperCase().padStart(2, '0')))
  assert.notEqual(out, sdp, 'the SDP has a fingerprint')
  return out
}

/** Every state change and data event of a peer and its transports and channels, in order. */
function timeline (pc, label, log) {
  const push = what => log.push(`${label} ${what}`)
  pc.addEventListener('connectionstatechange', () => push(`connection ${pc.connectionState}`))
  pc.addEventListener('datachannel', e => { push('datachannel'); watchChannel(e.channel) })
  const watchChannel = ch => {
    ch.addEventListener('open', () => push('open'))
    ch.addEventListener('message', () => push('message'))
  }
  let watched = false
  const watchTransports = () => {
    if (watched || pc.sctp === null) return
    watched = true
    pc.sctp.transport.addEventListener('statechange', () => push(`dtls ${pc.sctp.transport.state}`))
  }
  pc.addEventListener('signalingstatechange', watchTransports)
  return { watchChannel, watchTransports }
}

async function tamperedPair (side) {
  const { a, b } = trickledPeers()
  const log = []
  const ta = timeline(a, 'a', log)
  const tb = timeline(b, 'b', log)
  const dcA = a.createDataChannel('x')
  ta.watchChannel(dcA)
  await a.setLocalDescription()
  const offer = side === 'offer' ? tamperFingerprint(a.localDescription.sdp) : a.localDescription.sdp
  await b.setRemoteDescription({ type: 'offer', sdp: offer })
  await b.setLocalDescription()
  const answer = side === 'answer' ? tamperFingerprint(b.localDescription.sdp) : b.localDescription.sdp
  await a.setRemoteDescription({ type: 'answer', sdp: answer })
  ta.watchTransports()
  tb.watchTransports()
  return { a, b, dcA, log }
}

const liveInLibwebrtc = () => nonstandard.liveObjects().libwebrtcPeerConnections

/** The count of connections in libwebrtc once it has stopped moving (earlier tests' closes
 * finish on the shard threads after close() has returned). */
async function settledCount () {
  let n = liveInLibwebrtc()
  for (let i = 0; i < 100; i++) {
    await delay(100)
    if (liveInLibwebrtc() === n) break
    n = liveInLibwebrtc()
  }
  return n
}

/** Waits up to 5 s for the count to fall to `target`; returns the last count seen. */
async function countDownTo (target) {
  let live
  for (let i = 0; i < 200; i++) {
    live = liveInLibwebrtc()
    if (live <= target) break
    await delay(25)
  }
  return live
}

describe('security', () => {
  afterEach(closeAll)

  for (const side of ['answer', 'offer']) {
    it(`a fingerprint in the ${side} that does not match the certificate: never connected, no channel, no data`, async () => {
      const { a, b, dcA, log } = await tamperedPair(side)
      // The peer that checks the wrong fingerprint fails DTLS; the other one may only see it stall.
      const checker = side === 'answer' ? a : b
      const failed = () => checker.connectionState === 'failed' && checker.sctp.transport.state === 'failed'
      const deadline = Date.now() + 15000
      while (!failed() && Date.now() < deadline) await delay(50)
      assert.ok(failed(), `connection ${checker.connectionState}, dtls ${checker.sctp.transport.state}; ${log.join(', ')}`)
      await delay(500) // anything that was going to slip through has had time to
      for (const pc of [a, b]) assert.notEqual(pc.connectionState, 'connected')
      const leaks = log.filter(e => / (connection connected|dtls connected|datachannel|open|message)$/.test(e))
      assert.deepEqual(leaks, [], `events: ${log.join(', ')}`)
      assert.equal(dcA.readyState, 'connecting')
      assert.throws(() => dcA.send('secret'), { name: 'InvalidStateError' })
    })
  }

  it('no datachannel, open or message before the DTLS transport of that peer is connected', async () => {
    const { a, b, errors } = trickledPeers()
    const log = []
    const ta = timeline(a, 'a', log)
    const tb = timeline(b, 'b', log)
    const dcA = a.createDataChannel('x', { negotiated: false })
    const dcN = a.createDataChannel('n', { negotiated: true, id: 7 })
    const dcNb = b.createDataChannel('n', { negotiated: true, id: 7 })
    ta.watchChannel(dcA)
    ta.watchChannel(dcN)
    tb.watchChannel(dcNb)
    // Senders try as early as the API lets them: on open, at once.
    dcA.onopen = () => dcA.send('early a')
    dcNb.onopen = () => dcNb.send('early b')
    b.ondatachannel = e => { e.channel.onopen = () => e.channel.send('early from b') }
    await a.setLocalDescription()
    ta.watchTransports()
    await b.setRemoteDescription(a.localDescription)
    tb.watchTransports()
    await b.setLocalDescription()
    await a.setRemoteDescription(b.localDescription)
    const deadline = Date.now() + 15000
    while (log.filter(e => e.endsWith(' message')).length < 3 && Date.now() < deadline) await delay(20)
    assert.equal(log.filter(e => e.endsWith(' message')).length, 3, log.join(', '))
    for (const peer of ['a', 'b']) {
      const up = log.indexOf(`${peer} dtls connected`)
      assert.ok(up >= 0, `${peer}: dtls connected in ${log.join(', ')}`)
      const first = log.findIndex(e => e.startsWith(peer + ' ') && / (datachannel|open|message)$/.test(e))
      assert.ok(first > up, `${peer}: data event before DTLS: ${log.join(', ')}`)
    }
    assert.deepEqual(errors, [])
  })

  // Closed connections must be destroyed in libwebrtc whatever their handshake was doing: this
  // libwebrtc aborts the process when a connection whose handshake failed is destroyed on a thread
  // other than its network thread, and an earlier build kept those (and, wrongly, some others) alive.
  it('connections closed while their DTLS handshake is running are destroyed, not kept', async () => {
    const before = await settledCount()
    const pairs = []
    for (let i = 0; i < 5; i++) {
      const { a, b } = trickledPeers()
      a.createDataChannel('x')
      await a.setLocalDescription()
      // Both ends DTLS servers, each waiting for a ClientHello that never comes, so the handshake
      // stays running: b reads a as the client and answers passive; a reads b as the client.
      assert.match(a.localDescription.sdp, /a=setup:actpass/)
      await b.setRemoteDescription({ type: 'offer', sdp: a.localDescription.sdp.replace(/a=setup:actpass/g, 'a=setup:active') })
      await b.setLocalDescription()
      assert.match(b.localDescription.sdp, /a=setup:passive/)
      await a.setRemoteDescription({ type: 'answer', sdp: b.localDescription.sdp.replace(/a=setup:passive/g, 'a=setup:active') })
      pairs.push([a, b])
    }
    const connecting = () => pairs.every(p => p.every(pc => pc.sctp && pc.sctp.transport.state === 'connecting'))
    for (let i = 0; i < 200 && !connecting(); i++) await delay(25)
    assert.ok(connecting(), pairs.map(p => p.map(pc => pc.sctp && pc.sctp.transport.state).join('/')).join(', '))
    assert.equal(liveInLibwebrtc(), before + 10)
    for (const p of pairs) for (const pc of p) pc.close()
    const live = await countDownTo(before)
    assert.ok(live <= before, `${live - before} of the 10 closed connections are still in libwebrtc`)
  })

  it('connections whose handshake failed are destroyed after close(), and new connections still work', async () => {
    const before = await settledCount()
    const failed = []
    for (const side of ['answer', 'offer']) {
      const { a, b } = await tamperedPair(side)
      const checker = side === 'answer' ? a : b
      for (let i = 0; i < 300 && checker.sctp.transport.state !== 'failed'; i++) await delay(50)
      assert.equal(checker.sctp.transport.state, 'failed')
      failed.push(a, b)
    }
    assert.equal(liveInLibwebrtc(), before + 4)
    for (const pc of failed) pc.close()
    const live = await countDownTo(before)
    assert.ok(live <= before, `${live - before} of the 4 closed connections are still in libwebrtc`)
    const p = await pair()
    const got = new Promise(resolve => { p.dcB.onmessage = m => resolve(m.data) })
    p.dcA.send('fine')
    assert.equal(await got, 'fine')
  })
})
