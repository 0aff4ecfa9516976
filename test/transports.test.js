'use strict'
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { RTCSctpTransport, RTCDtlsTransport, RTCIceTransport, RTCIceCandidate } = require('..')
const { makePc, closeAll, once, until, delay, trickledPeers, negotiate, pair, record } = require('./helpers/pair')

const LOOPBACK = ['127.0.0.1', '::1']

describe('transports', () => {
  afterEach(closeAll)

  describe('RTCSctpTransport', () => {
    it('pc.sctp appears after SLD(offer) on the offerer and SRD(offer) on the answerer', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      assert.equal(a.sctp, null)
      await a.setLocalDescription()
      assert.ok(a.sctp instanceof RTCSctpTransport)
      assert.equal(a.sctp, a.sctp, 'same object')
      assert.equal(b.sctp, null)
      await b.setRemoteDescription(a.localDescription)
      assert.ok(b.sctp instanceof RTCSctpTransport)
      assert.ok(a.sctp.transport instanceof RTCDtlsTransport)
      assert.ok(a.sctp.transport.iceTransport instanceof RTCIceTransport)
      assert.equal(a.sctp.transport, a.sctp.transport)
      assert.equal(a.sctp.transport.iceTransport, a.sctp.transport.iceTransport)
    })

    it('stays null when there is no data section', async () => {
      const a = makePc()
      const b = makePc()
      await negotiate(a, b)
      assert.equal(a.sctp, null)
      assert.equal(b.sctp, null)
    })

    it('the transport objects are not constructible by scripts', () => {
      assert.throws(() => new RTCSctpTransport(), TypeError)
      assert.throws(() => new RTCDtlsTransport(), TypeError)
      assert.throws(() => new RTCIceTransport(), TypeError)
    })

    it('without candidates: connecting, a numeric maxMessageSize equal on both sides, maxChannels null', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      await negotiate(a, b)
      for (const pc of [a, b]) {
        assert.equal(pc.sctp.state, 'connecting')
        assert.equal(typeof pc.sctp.maxMessageSize, 'number')
        assert.ok(pc.sctp.maxMessageSize > 0)
        assert.equal(pc.sctp.maxChannels, null)
        assert.equal(pc.sctp.transport.getRemoteCertificates().length, 0)
        assert.equal(pc.sctp.transport.iceTransport.getSelectedCandidatePair(), null)
      }
      assert.equal(a.sctp.maxMessageSize, b.sctp.maxMessageSize)
    })

    it('maxMessageSize follows the remote a=max-message-size', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      const answer = b.localDescription.sdp
      const local = Number(/^a=max-message-size:(\d+)/m.exec(a.localDescription.sdp)[1])
      await a.setRemoteDescription({ type: 'answer', sdp: answer.replace(/^a=max-message-size:\d+/m, 'a=max-message-size:1000') })
      assert.equal(a.sctp.maxMessageSize, Math.min(1000, local || Infinity))
      const dc = a.createDataChannel('after')
      void dc
    })

    it('after connecting: states connected, maxChannels equal on both peers, statechange fired', async () => {
      const { a, b } = trickledPeers()
      const dc = a.createDataChannel('x')
      await a.setLocalDescription()
      const sctpEvents = record(a.sctp, 'statechange')
      const dtlsEvents = []
      a.sctp.transport.onstatechange = () => dtlsEvents.push(a.sctp.transport.state)
      const iceEvents = []
      a.sctp.transport.iceTransport.onstatechange = () => iceEvents.push(a.sctp.transport.iceTransport.state)
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      await a.setRemoteDescription(b.localDescription)
      await once(dc, 'open')
      await Promise.all([a, b].map(pc => until(pc.sctp, 'statechange', () => pc.sctp.state === 'connected')))
      assert.ok(sctpEvents.length >= 1)
      assert.equal(dtlsEvents[dtlsEvents.length - 1], 'connected')
      assert.ok(iceEvents.includes('checking'))
      assert.ok(iceEvents.indexOf('checking') < iceEvents.indexOf('connected'))
      for (const pc of [a, b]) {
        assert.equal(pc.sctp.state, 'connected')
        assert.equal(pc.sctp.transport.state, 'connected')
        assert.ok(['connected', 'completed'].includes(pc.sctp.transport.iceTransport.state))
        assert.equal(typeof pc.sctp.maxChannels, 'number')
        assert.ok(pc.sctp.maxChannels > 0)
      }
      assert.equal(a.sctp.maxChannels, b.sctp.maxChannels)
      assert.equal(a.sctp.maxMessageSize, b.sctp.maxMessageSize)
    })
  })

  describe('RTCDtlsTransport', () => {
    it('getRemoteCertificates() returns the peer certificate (DER) matching its SDP fingerprint', async () => {
      const { a, b } = await pair()
      for (const [pc, peer] of [[a, b], [b, a]]) {
        await until(pc.sctp.transport, 'statechange', () => pc.sctp.transport.state === 'connected')
        const certs = pc.sctp.transport.getRemoteCertificates()
        assert.ok(Array.isArray(certs))
        assert.ok(certs.length > 0)
        for (const c of certs) {
          assert.ok(c instanceof ArrayBuffer)
          assert.ok(c.byteLength > 0)
          assert.equal(new Uint8Array(c)[0], 0x30, 'DER SEQUENCE')
        }
        const fp = /^a=fingerprint:sha-256 (\S+)/m.exec(peer.localDescription.sdp)[1]
        const digest = crypto.createHash('sha256').update(Buffer.from(certs[0])).digest('hex')
          .toUpperCase().match(/../g).join(':')
        assert.equal(digest, fp)
      }
    })

    it('remote close takes the DTLS and SCTP transports to closed with statechange', async () => {
      const { a, b } = await pair()
      const dtlsClosed = until(b.sctp.transport, 'statechange', () => b.sctp.transport.state === 'closed')
      const sctpClosed = until(b.sctp, 'statechange', () => b.sctp.state === 'closed')
      a.close()
      await Promise.all([dtlsClosed, sctpClosed])
    })

    it('local close: transports closed synchronously without statechange', async () => {
      const { a } = await pair()
      const dtls = a.sctp.transport
      const ice = dtls.iceTransport
      const events = [...record(dtls, 'statechange'), ...record(ice, 'statechange')]
      a.close()
      assert.equal(dtls.state, 'closed')
      assert.equal(ice.state, 'closed')
      assert.equal(a.sctp.state, 'closed')
      await delay(100)
      assert.deepEqual(events, [])
    })
  })

  describe('RTCIceTransport', () => {
    it('is new right after SLD(offer), then gathers: gathering -> complete', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      await pc.setLocalDescription()
      const ice = pc.sctp.transport.iceTransport
      assert.equal(ice.state, 'new')
      const states = []
      ice.ongatheringstatechange = () => states.push(ice.gatheringState)
      if (ice.gatheringState !== 'complete') await until(ice, 'gatheringstatechange', () => ice.gatheringState === 'complete')
      assert.deepEqual(states.slice(-1), ['complete'])
      assert.ok(!states.includes('new'))
      assert.equal(pc.iceGatheringState, 'complete')
    })

    it('has roles controlling/controlled and a loopback selected pair that cross-matches the peer', async () => {
      const { a, b } = await pair()
      const ia = a.sctp.transport.iceTransport
      const ib = b.sctp.transport.iceTransport
      assert.equal(ia.role, 'controlling')
      assert.equal(ib.role, 'controlled')
      assert.equal(ia.component, 'rtp')
      for (const ice of [ia, ib]) {
        assert.ok(['connected', 'completed'].includes(ice.state), ice.state)
        assert.ok(['gathering', 'complete'].includes(ice.gatheringState))
      }
      const pa = ia.getSelectedCandidatePair()
      const pb = ib.getSelectedCandidatePair()
      for (const p of [pa, pb]) {
        assert.ok(p)
        assert.ok(p.local instanceof RTCIceCandidate)
        assert.ok(p.remote instanceof RTCIceCandidate)
        assert.ok(LOOPBACK.includes(p.local.address), p.local.address)
        // libwebrtc (as Chromium) hides the address of a peer-reflexive remote candidate.
        if (p.remote.type === 'prflx') assert.equal(p.remote.address, 'redacted-ip.invalid')
        else assert.ok(LOOPBACK.includes(p.remote.address), p.remote.address)
        assert.equal(typeof p.local.port, 'number')
        assert.equal(p.local.protocol, p.remote.protocol)
      }
      assert.equal(pa.local.port, pb.remote.port)
      assert.equal(pa.remote.port, pb.local.port)
      if (pb.remote.type !== 'prflx') assert.equal(pa.local.address, pb.remote.address)
    })
  })
})
