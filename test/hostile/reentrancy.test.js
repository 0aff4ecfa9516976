'use strict'
// Re-entrancy: close() from inside every event handler. The process survives, every state is
// 'closed' at once, later calls reject/throw InvalidStateError, no event follows, the other peer
// sees the channel close, and an operation pending at close() never settles (webrtc-pc: "if
// connection.[[IsClosed]] is true, abort these steps").
const assert = require('node:assert/strict')
const { makePc, closeAll, once, delay, trickledPeers, negotiate, pair, rejectsWith, throwsWith } = require('../helpers/pair')

const PC_EVENTS = ['negotiationneeded', 'icecandidate', 'icecandidateerror', 'signalingstatechange',
  'iceconnectionstatechange', 'icegatheringstatechange', 'connectionstatechange', 'datachannel']
const DC_EVENTS = ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close']

function settled (promise, ms = 300) {
  return Promise.race([promise.then(() => 'resolved', () => 'rejected'), delay(ms).then(() => 'pending')])
}

/** Closes pc from the first `type` event on target that passes `when`; resolves after the handler ran. */
function closeOn (target, type, pc, when = () => true) {
  return new Promise(resolve => {
    const handler = e => {
      if (!when(e)) return
      target.removeEventListener(type, handler)
      pc.close()
      resolve(e)
    }
    target.addEventListener(type, handler)
  })
}

/** Records every event on pc (and its channels) from now on. */
function recordAll (pc, channels = []) {
  const seen = []
  for (const type of PC_EVENTS) pc.addEventListener(type, () => seen.push(type))
  for (const ch of channels) for (const type of DC_EVENTS) ch.addEventListener(type, () => seen.push('channel ' + type))
  return seen
}

async function assertClosedAndInert (pc, channels = []) {
  assert.equal(pc.signalingState, 'closed')
  assert.equal(pc.iceConnectionState, 'closed')
  assert.equal(pc.connectionState, 'closed')
  for (const ch of channels) assert.equal(ch.readyState, 'closed')
  if (pc.sctp !== null) {
    assert.equal(pc.sctp.state, 'closed')
    assert.equal(pc.sctp.transport.state, 'closed')
  }
  await rejectsWith(pc.createOffer(), 'InvalidStateError')
  await rejectsWith(pc.createAnswer(), 'InvalidStateError')
  await rejectsWith(pc.setLocalDescription(), 'InvalidStateError')
  await rejectsWith(pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\n' }), 'InvalidStateError')
  await rejectsWith(pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' }), 'InvalidStateError')
  throwsWith(() => pc.createDataChannel('late'), 'InvalidStateError')
  throwsWith(() => pc.setConfiguration({}), 'InvalidStateError')
  for (const ch of channels) throwsWith(() => ch.send('late'), 'InvalidStateError')
  pc.close() // still idempotent
}

describe('close() from inside event handlers', () => {
  afterEach(closeAll)

  it('negotiationneeded', async () => {
    const pc = makePc()
    const closed = closeOn(pc, 'negotiationneeded', pc)
    const dc = pc.createDataChannel('x')
    await closed
    const seen = recordAll(pc, [dc])
    await assertClosedAndInert(pc, [dc])
    await delay(200)
    assert.deepEqual(seen, [])
  })

  it('icecandidate: no further candidates, the gathering never reported', async () => {
    const pc = makePc()
    pc.createDataChannel('x')
    const closed = closeOn(pc, 'icecandidate', pc)
    await pc.setLocalDescription()
    await closed
    const seen = recordAll(pc)
    await assertClosedAndInert(pc)
    await delay(300)
    assert.deepEqual(seen, [])
    assert.notEqual(pc.iceGatheringState, 'complete')
  })

  it('icecandidate carrying the end-of-candidates', async () => {
    const pc = makePc()
    pc.createDataChannel('x')
    const closed = closeOn(pc, 'icecandidate', pc, e => e.candidate !== null && e.candidate.candidate === '')
    await pc.setLocalDescription()
    await closed
    const seen = recordAll(pc)
    await assertClosedAndInert(pc)
    await delay(200)
    assert.deepEqual(seen, [], 'neither icegatheringstatechange nor the null candidate follow')
  })

  it('icegatheringstatechange', async () => {
    const pc = makePc()
    pc.createDataChannel('x')
    const closed = closeOn(pc, 'icegatheringstatechange', pc)
    await pc.setLocalDescription()
    await closed
    const seen = recordAll(pc)
    await assertClosedAndInert(pc)
    await delay(200)
    assert.deepEqual(seen, [])
  })

  it('signalingstatechange during setRemoteDescription; a createAnswer() started there never settles', async () => {
    const offerer = makePc()
    offerer.createDataChannel('x')
    await offerer.setLocalDescription()
    const pc = makePc()
    let answer
    pc.onsignalingstatechange = () => {
      answer = pc.createAnswer()
      pc.close()
    }
    const srd = pc.setRemoteDescription(offerer.localDescription)
    // Closing in the event that comes with the operation's completion never turns it into a failure.
    assert.notEqual(await settled(srd), 'rejected')
    assert.equal(await settled(answer), 'pending')
    await assertClosedAndInert(pc)
  })

  it('signalingstatechange during setLocalDescription', async () => {
    const pc = makePc()
    pc.createDataChannel('x')
    const closed = closeOn(pc, 'signalingstatechange', pc)
    const sld = pc.setLocalDescription()
    await closed
    assert.notEqual(await settled(sld), 'rejected')
    const seen = recordAll(pc)
    await assertClosedAndInert(pc)
    await delay(300)
    assert.deepEqual(seen, [], 'no candidates after close')
  })

  it('datachannel: the offerer sees its channel close', async () => {
    const { a, b } = trickledPeers()
    const dcA = a.createDataChannel('x')
    const closed = closeOn(b, 'datachannel', b)
    await negotiate(a, b)
    const { channel } = await closed
    assert.equal(channel.readyState, 'closed')
    const seen = recordAll(b, [channel])
    await assertClosedAndInert(b, [channel])
    if (dcA.readyState !== 'closed') await once(dcA, 'close')
    await delay(100)
    assert.deepEqual(seen, [])
  })

  it('open: the remote end sees the channel close', async () => {
    const { a, b } = trickledPeers()
    const dcA = a.createDataChannel('x')
    const remote = once(b, 'datachannel').then(e => e.channel)
    const closed = closeOn(dcA, 'open', a)
    await negotiate(a, b)
    await closed
    const seen = recordAll(a, [dcA])
    await assertClosedAndInert(a, [dcA])
    const dcB = await remote
    if (dcB.readyState !== 'closed') await once(dcB, 'close')
    await delay(100)
    assert.deepEqual(seen, [])
  })

  it('message: later messages are not delivered, the sender sees the channel close', async () => {
    const { a, b, dcA, dcB } = await pair()
    let delivered = 0
    dcB.onmessage = () => {
      delivered++
      b.close()
    }
    dcA.send('one')
    dcA.send('two')
    dcA.send('three')
    await once(dcA, 'close')
    assert.equal(delivered, 1)
    await assertClosedAndInert(b, [dcB])
    assert.equal(a.signalingState, 'stable', 'the other peer itself stays open')
  })

  for (const type of ['iceconnectionstatechange', 'connectionstatechange']) {
    // ICE connects before DTLS: only at connectionState 'connected' has the remote peer a DTLS transport to see closed.
    const remoteSees = type === 'connectionstatechange'
    it(`${type} (when connected)${remoteSees ? ': the remote DTLS transport closes' : ''}`, async () => {
      const { a, b } = trickledPeers()
      const dcA = a.createDataChannel('x')
      const remote = once(b, 'datachannel').then(e => e.channel)
      const prop = type === 'connectionstatechange' ? 'connectionState' : 'iceConnectionState'
      const closed = closeOn(a, type, a, () => a[prop] === 'connected')
      await negotiate(a, b)
      await closed
      const seen = recordAll(a, [dcA])
      await assertClosedAndInert(a, [dcA])
      if (remoteSees) {
        // DTLS is up; SCTP may not be, so the remote peer sees its DTLS transport closed (close_notify).
        while (b.sctp.transport.state !== 'closed') await delay(20)
      }
      remote.catch(() => {})
      await delay(100)
      assert.deepEqual(seen, [])
    })
  }

  it('close and closing on a channel, then the connection', async () => {
    const { a, dcA, dcB } = await pair()
    const closed = closeOn(dcA, 'close', a)
    dcB.close()
    await closed
    await assertClosedAndInert(a, [dcA])
  })
})
