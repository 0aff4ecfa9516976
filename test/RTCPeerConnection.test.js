'use strict'
const assert = require('node:assert/strict')
const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCError } = require('..')
const {
  makePc, closeAll, once, until, delay, trickle, negotiate, pair, rejectsWith, throwsWith, record
} = require('./helpers/pair')

const STATE_EVENTS = ['signalingstatechange', 'iceconnectionstatechange', 'connectionstatechange',
  'icegatheringstatechange', 'negotiationneeded', 'icecandidate', 'datachannel']

/** An offer with a data channel from a fresh pc (which is closed right away). */
async function remoteOffer () {
  const pc = makePc()
  pc.createDataChannel('x')
  const offer = await pc.createOffer()
  pc.close()
  return offer
}

function settled (promise) {
  return Promise.race([promise.then(() => 'resolved', () => 'rejected'), delay(150).then(() => 'pending')])
}

describe('RTCPeerConnection', () => {
  afterEach(closeAll)

  describe('initial state', () => {
    it('has null descriptions, new/stable states, null sctp and canTrickleIceCandidates', () => {
      const pc = makePc()
      for (const k of ['localDescription', 'currentLocalDescription', 'pendingLocalDescription',
        'remoteDescription', 'currentRemoteDescription', 'pendingRemoteDescription']) {
        assert.equal(pc[k], null, k)
      }
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.iceGatheringState, 'new')
      assert.equal(pc.iceConnectionState, 'new')
      assert.equal(pc.connectionState, 'new')
      assert.equal(pc.canTrickleIceCandidates, null)
      assert.equal(pc.sctp, null)
    })
  })

  describe('createOffer() / createAnswer()', () => {
    it('createOffer() gives a plain {type, sdp} with one m=application and max-message-size', async () => {
      const pc = makePc()
      pc.createDataChannel('chat')
      const offer = await pc.createOffer()
      assert.equal(offer.type, 'offer')
      assert.ok(!(offer instanceof RTCSessionDescription), 'resolves with a dictionary')
      assert.ok(offer.sdp.startsWith('v=0'))
      assert.equal(offer.sdp.match(/^m=application /gm).length, 1)
      assert.match(offer.sdp, /^a=max-message-size:\d+/m)
      assert.match(offer.sdp, /^a=ice-ufrag:/m)
      assert.match(offer.sdp, /^a=fingerprint:sha-256 [0-9A-F:]+/m)
      // createOffer alone changes nothing.
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.localDescription, null)
    })

    it('createOffer() with nothing added has no m= line and can be answered', async () => {
      const a = makePc()
      const b = makePc()
      const offer = await a.createOffer()
      assert.equal(/^m=/m.test(offer.sdp), false)
      await b.setRemoteDescription(offer)
      const answer = await b.createAnswer()
      assert.equal(answer.type, 'answer')
    })

    it('createAnswer() gives an answer with m=application', async () => {
      const b = makePc()
      await b.setRemoteDescription(await remoteOffer())
      const answer = await b.createAnswer()
      assert.equal(answer.type, 'answer')
      assert.ok(!(answer instanceof RTCSessionDescription))
      assert.equal(answer.sdp.match(/^m=application /gm).length, 1)
      assert.match(answer.sdp, /^a=setup:(active|passive)/m)
    })

    it('createAnswer() without a remote description rejects InvalidStateError', async () => {
      await rejectsWith(makePc().createAnswer(), 'InvalidStateError')
    })

    it('createOffer() in have-remote-offer rejects InvalidStateError', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      await rejectsWith(pc.createOffer(), 'InvalidStateError')
    })

    it('{iceRestart: true} changes the ufrag', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      await pc.setLocalDescription()
      const ufrag = sdp => /^a=ice-ufrag:(\S+)/m.exec(sdp)[1]
      const restart = await pc.createOffer({ iceRestart: true })
      assert.notEqual(ufrag(restart.sdp), ufrag(pc.localDescription.sdp))
    })
  })

  describe('setLocalDescription()', () => {
    it('without arguments creates and applies an offer in stable', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const events = record(pc, 'signalingstatechange')
      await pc.setLocalDescription()
      assert.equal(pc.signalingState, 'have-local-offer')
      assert.equal(pc.localDescription.type, 'offer')
      assert.match(pc.localDescription.sdp, /^m=application /m)
      assert.ok(pc.localDescription instanceof RTCSessionDescription)
      assert.equal(pc.pendingLocalDescription, pc.localDescription)
      assert.equal(pc.localDescription, pc.localDescription, 'same object on each read')
      assert.equal(pc.currentLocalDescription, null)
      assert.deepEqual(events, ['signalingstatechange'])
    })

    it('uses the last created offer for {type: "offer"} and the implicit form', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const offer = await pc.createOffer()
      await pc.setLocalDescription({ type: 'offer' })
      assert.equal(pc.localDescription.sdp.split('\r\n').filter(l => !l.startsWith('a=candidate')).join('\r\n'),
        offer.sdp.split('\r\n').filter(l => !l.startsWith('a=candidate')).join('\r\n'))
    })

    it('without arguments creates and applies an answer in have-remote-offer', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      await pc.setLocalDescription()
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.localDescription.type, 'answer')
      assert.equal(pc.currentLocalDescription, pc.localDescription)
      assert.equal(pc.currentRemoteDescription, pc.remoteDescription)
      assert.equal(pc.pendingLocalDescription, null)
      assert.equal(pc.pendingRemoteDescription, null)
    })

    it('fires signalingstatechange with updated attributes before the promise resolves', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const order = []
      pc.onsignalingstatechange = () => order.push(['event', pc.signalingState, pc.pendingLocalDescription?.type])
      const p = pc.setLocalDescription()
      assert.equal(pc.signalingState, 'stable', 'unchanged synchronously')
      assert.equal(pc.pendingLocalDescription, null)
      await p
      order.push('resolved')
      assert.deepEqual(order, [['event', 'have-local-offer', 'offer'], 'resolved'])
    })

    it('rollback returns to stable and clears the local description', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const events = []
      pc.onsignalingstatechange = () => events.push(pc.signalingState)
      await pc.setLocalDescription()
      await pc.setLocalDescription({ type: 'rollback', sdp: 'garbage is ignored' })
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.localDescription, null)
      assert.equal(pc.pendingLocalDescription, null)
      assert.equal(pc.currentLocalDescription, null)
      assert.deepEqual(events, ['have-local-offer', 'stable'])
      // The offer can be set again afterwards.
      await pc.setLocalDescription()
      assert.equal(pc.signalingState, 'have-local-offer')
    })

    it('rollback in stable rejects InvalidStateError', async () => {
      await rejectsWith(makePc().setLocalDescription({ type: 'rollback' }), 'InvalidStateError')
    })

    it('a munged or foreign offer rejects InvalidModificationError', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const offer = await pc.createOffer()
      const munged = offer.sdp.replace(/^a=ice-ufrag:.*$/m, 'a=ice-ufrag:Munged')
      await rejectsWith(pc.setLocalDescription({ type: 'offer', sdp: munged }), 'InvalidModificationError')
      await rejectsWith(pc.setLocalDescription(await remoteOffer()), 'InvalidModificationError')
      assert.equal(pc.signalingState, 'stable')
    })

    it('answer in stable rejects InvalidStateError', async () => {
      await rejectsWith(makePc().setLocalDescription({ type: 'answer', sdp: 'v=0\r\n' }), 'InvalidStateError')
    })

    it('a bad type rejects TypeError', async () => {
      await rejectsWith(makePc().setLocalDescription({ type: 'bogus' }), 'TypeError')
    })
  })

  describe('setRemoteDescription()', () => {
    it('offer -> have-remote-offer with pending remote description and sctp', async () => {
      const pc = makePc()
      const events = record(pc, 'signalingstatechange')
      const offer = await remoteOffer()
      await pc.setRemoteDescription(new RTCSessionDescription(offer))
      assert.equal(pc.signalingState, 'have-remote-offer')
      assert.equal(pc.pendingRemoteDescription, pc.remoteDescription)
      assert.equal(pc.remoteDescription.sdp, offer.sdp)
      assert.equal(pc.currentRemoteDescription, null)
      assert.ok(pc.sctp, 'sctp exists once an m=application section is applied')
      assert.deepEqual(events, ['signalingstatechange'])
    })

    it('rejects TypeError without argument or with a bad type', async () => {
      const pc = makePc()
      await rejectsWith(pc.setRemoteDescription(), 'TypeError')
      await rejectsWith(pc.setRemoteDescription({ type: 'bogus', sdp: 'bogus' }), 'TypeError')
      await rejectsWith(pc.setRemoteDescription({ sdp: 'v=0' }), 'TypeError')
    })

    it('rejects an RTCError (OperationError, sdp-syntax-error) for invalid SDP', async () => {
      const pc = makePc()
      await assert.rejects(pc.setRemoteDescription({ type: 'offer', sdp: 'Invalid SDP' }), err => {
        assert.ok(err instanceof RTCError, `expected RTCError, got ${err}`)
        assert.equal(err.name, 'OperationError')
        assert.equal(err.errorDetail, 'sdp-syntax-error')
        return true
      })
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.remoteDescription, null)
    })

    it('checks the state before parsing: answer in stable rejects InvalidStateError', async () => {
      await rejectsWith(makePc().setRemoteDescription({ type: 'answer', sdp: 'invalid' }), 'InvalidStateError')
    })

    it('rollback from have-remote-offer returns to stable', async () => {
      const pc = makePc()
      const events = []
      pc.onsignalingstatechange = () => events.push(pc.signalingState)
      await pc.setRemoteDescription(await remoteOffer())
      await pc.setRemoteDescription({ type: 'rollback' })
      assert.equal(pc.signalingState, 'stable')
      assert.equal(pc.remoteDescription, null)
      assert.equal(pc.pendingRemoteDescription, null)
      assert.deepEqual(events, ['have-remote-offer', 'stable'])
      await rejectsWith(pc.setRemoteDescription({ type: 'rollback' }), 'InvalidStateError')
    })

    it('an offer in have-local-offer rolls back implicitly (stable, then have-remote-offer)', async () => {
      const pc = makePc()
      pc.createDataChannel('mine')
      await pc.setLocalDescription()
      const seen = []
      pc.onsignalingstatechange = () => seen.push([pc.signalingState, pc.pendingLocalDescription === null])
      await pc.setRemoteDescription(await remoteOffer())
      assert.equal(pc.signalingState, 'have-remote-offer')
      assert.equal(pc.pendingLocalDescription, null)
      assert.deepEqual(seen, [['stable', true], ['have-remote-offer', true]])
    })
  })

  describe('description attributes after a full offer/answer', () => {
    it('current descriptions are set on both sides, pending are null', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      await a.setLocalDescription()
      assert.equal(a.pendingLocalDescription.type, 'offer')
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      await a.setRemoteDescription(b.localDescription)
      for (const pc of [a, b]) {
        assert.equal(pc.signalingState, 'stable')
        assert.equal(pc.pendingLocalDescription, null)
        assert.equal(pc.pendingRemoteDescription, null)
        assert.equal(pc.currentLocalDescription, pc.localDescription)
        assert.equal(pc.currentRemoteDescription, pc.remoteDescription)
      }
      assert.equal(a.currentLocalDescription.type, 'offer')
      assert.equal(a.currentRemoteDescription.type, 'answer')
      assert.equal(b.currentLocalDescription.type, 'answer')
      assert.equal(b.currentRemoteDescription.type, 'offer')
    })

    it('roles can switch: the former answerer makes the next offer', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      await negotiate(a, b)
      await negotiate(b, a)
      assert.equal(b.currentLocalDescription.type, 'offer')
      assert.equal(a.currentLocalDescription.type, 'answer')
      assert.equal(a.signalingState, 'stable')
      assert.equal(b.signalingState, 'stable')
    })
  })

  describe('addIceCandidate()', () => {
    it('rejects InvalidStateError before a remote description', async () => {
      const pc = makePc()
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await rejectsWith(pc.addIceCandidate({ candidate: line, sdpMid: '0' }), 'InvalidStateError')
      await rejectsWith(pc.addIceCandidate(null), 'InvalidStateError')
    })

    it('rejects TypeError when both sdpMid and sdpMLineIndex are null', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await rejectsWith(pc.addIceCandidate({ candidate: line }), 'TypeError')
      await rejectsWith(pc.addIceCandidate({ candidate: line, sdpMid: null, sdpMLineIndex: null }), 'TypeError')
      await rejectsWith(pc.addIceCandidate({ candidate: 'garbage' }), 'TypeError')
    })

    it('rejects OperationError for a bad candidate, unknown sdpMid or out-of-range index', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await rejectsWith(pc.addIceCandidate({ candidate: 'candidate:garbage', sdpMid: '0' }), 'OperationError')
      await rejectsWith(pc.addIceCandidate({ candidate: line, sdpMid: 'nope' }), 'OperationError')
      await rejectsWith(pc.addIceCandidate({ candidate: line, sdpMLineIndex: 5 }), 'OperationError')
    })

    it('rejects OperationError for a usernameFragment that matches no remote ufrag', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await rejectsWith(pc.addIceCandidate({ candidate: line, sdpMid: '0', usernameFragment: 'no such ufrag' }), 'OperationError')
    })

    it('accepts a valid candidate and adds it to remoteDescription.sdp', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      await pc.setRemoteDescription(offer)
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(offer.sdp)[1]
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await pc.addIceCandidate(new RTCIceCandidate({ candidate: line, sdpMid: '0', usernameFragment: ufrag }))
      assert.ok(pc.remoteDescription.sdp.includes('a=' + line), 'candidate is in remoteDescription.sdp')
      await pc.addIceCandidate({ candidate: 'candidate:2 1 udp 2113937150 127.0.0.1 5001 typ host', sdpMLineIndex: 0 })
      assert.ok(pc.remoteDescription.sdp.includes('127.0.0.1 5001 typ host'))
    })

    it('end-of-candidates forms all resolve once a remote description is set', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      await pc.addIceCandidate()
      await pc.addIceCandidate(null)
      await pc.addIceCandidate({})
      await pc.addIceCandidate({ candidate: '', sdpMid: null, sdpMLineIndex: null })
      await pc.addIceCandidate({ candidate: '', sdpMid: '0' })
      assert.match(pc.remoteDescription.sdp, /^a=end-of-candidates/m)
    })

    it('checks usernameFragment against the remote description it is applied after', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(offer.sdp)[1]
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      // Issued while setRemoteDescription is still pending: the check must wait for it.
      const srd = pc.setRemoteDescription(offer)
      const good = pc.addIceCandidate({ candidate: line, sdpMid: '0', usernameFragment: ufrag })
      const bad = pc.addIceCandidate({ candidate: line, sdpMid: '0', usernameFragment: ufrag + 'x' })
      await srd
      await good
      await rejectsWith(bad, 'OperationError')
    })

    it('end-of-candidates with a stray usernameFragment or unknown mid rejects OperationError', async () => {
      const pc = makePc()
      await pc.setRemoteDescription(await remoteOffer())
      await rejectsWith(pc.addIceCandidate({ candidate: '', sdpMid: '0', usernameFragment: 'nope' }), 'OperationError')
      await rejectsWith(pc.addIceCandidate({ candidate: '', sdpMid: 'nope' }), 'OperationError')
      await rejectsWith(pc.addIceCandidate({ candidate: '', sdpMLineIndex: 7 }), 'OperationError')
      assert.doesNotMatch(pc.remoteDescription.sdp, /a=end-of-candidates/)
    })

    it('an ICE restart (new remote ufrag) starts without end-of-candidates', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('x')
      await negotiate(a, b)
      await b.addIceCandidate({ candidate: '', sdpMid: '0' })
      assert.match(b.remoteDescription.sdp, /^a=end-of-candidates/m)
      a.restartIce()
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      assert.doesNotMatch(b.remoteDescription.sdp, /a=end-of-candidates/)
      assert.equal(b.remoteDescription, b.remoteDescription, 'the attribute returns the same object')
    })

    it('is chained after a pending setRemoteDescription', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      const srd = pc.setRemoteDescription(offer)
      const add = pc.addIceCandidate({ candidate: 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host', sdpMid: '0' })
      await Promise.all([srd, add])
    })
  })

  describe('ICE candidate events', () => {
    it('deliver parsed RTCIceCandidates after SLD resolves, then null when gathering completes', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const events = []
      let resolved = false
      let inSdpAtEvent = true
      pc.onicecandidate = e => {
        events.push({ candidate: e.candidate, resolved, state: pc.iceGatheringState })
        // libwebrtc (like browsers) leaves the ufrag token out of the SDP line: match foundation to port.
        const head = e.candidate ? e.candidate.candidate.split(' ').slice(0, 6).join(' ') : ''
        if (head !== '' && !pc.localDescription.sdp.includes('a=' + head + ' typ')) inSdpAtEvent = false
      }
      const gathering = record(pc, 'icegatheringstatechange')
      const done = once(pc, 'icecandidate', e => e.candidate === null)
      await pc.setLocalDescription()
      resolved = true
      await done
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(pc.localDescription.sdp)[1]
      const real = events.filter(e => e.candidate && e.candidate.candidate !== '')
      assert.ok(real.length > 0, 'at least one host candidate')
      assert.ok(events.every(e => e.resolved), 'no icecandidate before the SLD promise resolved')
      assert.ok(inSdpAtEvent, 'localDescription.sdp contains the candidate when the event fires')
      for (const { candidate: c } of real) {
        assert.ok(c instanceof RTCIceCandidate)
        assert.match(c.candidate, /^candidate:/)
        assert.ok(['127.0.0.1', '::1'].includes(c.address), `loopback address, got ${c.address}`)
        assert.equal(typeof c.port, 'number')
        assert.ok(c.port > 0 && c.port < 65536)
        assert.ok(['udp', 'tcp'].includes(c.protocol))
        assert.equal(c.type, 'host')
        assert.equal(typeof c.foundation, 'string')
        assert.ok(c.foundation.length > 0)
        assert.equal(c.component, 'rtp')
        assert.equal(typeof c.priority, 'number')
        assert.ok(c.priority > 0)
        assert.equal(c.sdpMid, '0')
        assert.equal(c.sdpMLineIndex, 0)
        assert.equal(c.usernameFragment, ufrag)
        assert.deepEqual(c.toJSON(), { candidate: c.candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: ufrag })
      }
      const last = events[events.length - 1]
      assert.equal(last.candidate, null, 'the final event has a null candidate')
      assert.equal(last.state, 'complete')
      assert.equal(events.filter(e => e.candidate === null).length, 1)
      assert.deepEqual(gathering, ['icegatheringstatechange', 'icegatheringstatechange'])
      assert.equal(pc.iceGatheringState, 'complete')
    })

    it('localDescription has a=end-of-candidates when gathering is complete', async () => {
      const pc = makePc()
      pc.createDataChannel('x')
      const done = once(pc, 'icecandidate', e => e.candidate === null)
      await pc.setLocalDescription()
      await done
      assert.match(pc.localDescription.sdp, /^a=end-of-candidates/m)
    })

    it('candidates pass through toJSON/JSON and connect the peer', async () => {
      const a = makePc()
      const b = makePc()
      a.onicecandidate = e => b.addIceCandidate(JSON.parse(JSON.stringify(e.candidate)))
      b.onicecandidate = e => a.addIceCandidate(JSON.parse(JSON.stringify(e.candidate)))
      const dc = a.createDataChannel('json')
      const opened = once(dc, 'open')
      await negotiate(a, b)
      await opened
      assert.equal(dc.readyState, 'open')
    })
  })

  describe('canTrickleIceCandidates', () => {
    it('is true after a remote offer with a=ice-options:trickle', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      assert.match(offer.sdp, /a=ice-options:trickle/)
      await pc.setRemoteDescription(offer)
      assert.equal(pc.canTrickleIceCandidates, true)
    })

    it('is false after a remote offer without it', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp.replace(/^a=ice-options:trickle\r\n/gm, '') })
      assert.equal(pc.canTrickleIceCandidates, false)
    })
  })

  describe('legacy callback forms', () => {
    it('createOffer/setLocalDescription/setRemoteDescription/createAnswer/addIceCandidate with callbacks', async () => {
      const a = makePc()
      const b = makePc()
      a.createDataChannel('legacy')
      let ret
      const offer = await new Promise((resolve, reject) => { ret = a.createOffer(resolve, reject) })
      assert.equal(await ret, undefined, 'the returned promise resolves with undefined')
      assert.equal(offer.type, 'offer')
      const slArgs = await new Promise((resolve, reject) => { ret = a.setLocalDescription(offer, (...args) => resolve(args), reject) })
      assert.deepEqual(slArgs, [])
      assert.equal(await ret, undefined)
      assert.equal(a.signalingState, 'have-local-offer')
      await new Promise((resolve, reject) => b.setRemoteDescription(offer, resolve, reject))
      assert.equal(b.signalingState, 'have-remote-offer')
      const answer = await new Promise((resolve, reject) => b.createAnswer(resolve, reject))
      assert.equal(answer.type, 'answer')
      await new Promise((resolve, reject) => b.setLocalDescription(answer, resolve, reject))
      await new Promise((resolve, reject) => a.setRemoteDescription(answer, resolve, reject))
      assert.equal(a.signalingState, 'stable')
      const line = 'candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host'
      await new Promise((resolve, reject) => a.addIceCandidate({ candidate: line, sdpMid: '0' }, resolve, reject))
    })

    it('calls the failure callback and still resolves the returned promise', async () => {
      const pc = makePc()
      let ret
      const err = await new Promise((resolve, reject) => { ret = pc.createAnswer(() => reject(new Error('success?')), resolve) })
      assert.equal(err.name, 'InvalidStateError')
      assert.equal(await ret, undefined)
      const err2 = await new Promise((resolve, reject) => {
        ret = pc.setRemoteDescription({ type: 'offer', sdp: 'Invalid SDP' }, () => reject(new Error('success?')), resolve)
      })
      assert.equal(err2.name, 'OperationError')
      assert.equal(await ret, undefined)
      const err3 = await new Promise((resolve, reject) => {
        pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' }, () => reject(new Error('success?')), resolve)
      })
      assert.equal(err3.name, 'InvalidStateError')
    })
  })

  describe('negotiationneeded', () => {
    it('fires once, asynchronously, after the first createDataChannel()', async () => {
      const pc = makePc()
      let count = 0
      pc.onnegotiationneeded = () => { count++ }
      pc.createDataChannel('one')
      pc.createDataChannel('two')
      assert.equal(count, 0, 'not fired synchronously')
      await once(pc, 'negotiationneeded')
      await delay(100)
      assert.equal(count, 1)
    })

    it('does not fire for more channels once SCTP is negotiated', async () => {
      const { a } = await pair()
      let count = 0
      a.onnegotiationneeded = () => { count++ }
      a.createDataChannel('more')
      await delay(150)
      assert.equal(count, 0)
    })

    it('never fires on a closed connection', async () => {
      const pc = makePc()
      let count = 0
      pc.onnegotiationneeded = () => { count++ }
      pc.createDataChannel('x')
      pc.close()
      await delay(150)
      assert.equal(count, 0)
    })
  })

  describe('connection states', () => {
    it('iceConnectionState and connectionState reach connected on both peers', async () => {
      const a = makePc()
      const b = makePc()
      const errors = []
      const seen = { a: [], b: [], ca: [], cb: [] }
      a.oniceconnectionstatechange = () => seen.a.push(a.iceConnectionState)
      b.oniceconnectionstatechange = () => seen.b.push(b.iceConnectionState)
      a.onconnectionstatechange = () => seen.ca.push(a.connectionState)
      b.onconnectionstatechange = () => seen.cb.push(b.connectionState)
      trickle(a, b, errors)
      trickle(b, a, errors)
      a.createDataChannel('x')
      await negotiate(a, b)
      await Promise.all([
        until(a, 'connectionstatechange', () => a.connectionState === 'connected'),
        until(b, 'connectionstatechange', () => b.connectionState === 'connected'),
        until(a, 'iceconnectionstatechange', () => ['connected', 'completed'].includes(a.iceConnectionState)),
        until(b, 'iceconnectionstatechange', () => ['connected', 'completed'].includes(b.iceConnectionState))
      ])
      assert.deepEqual(seen.ca, ['connecting', 'connected'])
      assert.deepEqual(seen.cb, ['connecting', 'connected'])
      assert.deepEqual(seen.a.slice(0, 2), ['checking', 'connected'])
      assert.deepEqual(seen.b, ['checking', 'connected'])
      assert.deepEqual(errors, [])
    })
  })

  describe('close()', () => {
    it('is idempotent and sets every state to closed synchronously', () => {
      const pc = makePc()
      const dc = pc.createDataChannel('x')
      pc.close()
      pc.close()
      assert.equal(pc.signalingState, 'closed')
      assert.equal(pc.iceConnectionState, 'closed')
      assert.equal(pc.connectionState, 'closed')
      assert.equal(dc.readyState, 'closed')
    })

    it('makes later calls reject or throw InvalidStateError', async () => {
      const pc = makePc()
      const offer = await remoteOffer()
      pc.close()
      await rejectsWith(pc.createOffer(), 'InvalidStateError')
      await rejectsWith(pc.createAnswer(), 'InvalidStateError')
      await rejectsWith(pc.setLocalDescription(), 'InvalidStateError')
      await rejectsWith(pc.setRemoteDescription(offer), 'InvalidStateError')
      await rejectsWith(pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' }), 'InvalidStateError')
      throwsWith(() => pc.createDataChannel('late'), 'InvalidStateError')
      pc.restartIce() // a no-op, no throw
    })

    it('leaves an operation pending at close() unsettled', async () => {
      const pc = makePc()
      const p = pc.setRemoteDescription(await remoteOffer())
      pc.close()
      assert.equal(await settled(p), 'pending')
      assert.equal(pc.signalingState, 'closed')
    })

    it('on a connected peer: everything closed synchronously, no events afterwards', async () => {
      const { a, dcA, dcB } = await pair()
      const sctp = a.sctp
      const dtls = sctp.transport
      const ice = dtls.iceTransport
      const events = record(a, ...STATE_EVENTS)
      const dcEvents = record(dcA, 'open', 'message', 'closing', 'close', 'error', 'bufferedamountlow')
      const transportEvents = [...record(dtls, 'statechange'), ...record(ice, 'statechange', 'gatheringstatechange')]
      const remoteClosed = once(dcB, 'close')
      a.close()
      assert.equal(a.signalingState, 'closed')
      assert.equal(a.connectionState, 'closed')
      assert.equal(a.iceConnectionState, 'closed')
      assert.equal(dcA.readyState, 'closed')
      assert.equal(sctp.state, 'closed')
      assert.equal(dtls.state, 'closed')
      assert.equal(ice.state, 'closed')
      await remoteClosed
      await delay(100)
      assert.deepEqual(events, [])
      assert.deepEqual(dcEvents, [])
      assert.deepEqual(transportEvents, [])
      assert.equal(dcB.readyState, 'closed')
    })

    it('the remote channel gets an RTCErrorEvent (sctp-failure) and then close', async () => {
      const { a, dcB } = await pair()
      const seen = []
      dcB.onerror = e => seen.push(e)
      const closed = once(dcB, 'close').then(() => seen.push('close'))
      a.close()
      await closed
      assert.equal(seen.length, 2, `events: ${seen.map(e => e.type ?? e)}`)
      assert.equal(seen[0].type, 'error')
      assert.ok(seen[0].error instanceof RTCError)
      assert.equal(seen[0].error.name, 'OperationError')
      assert.equal(seen[0].error.errorDetail, 'sctp-failure')
      assert.equal(seen[1], 'close')
    })
  })

  describe('perfect negotiation', () => {
    // Signaling messages go through JSON and arrive in order, one task later.
    function peer (pc, polite, explicitRollback, errors) {
      let makingOffer = false
      let ignoreOffer = false
      let other
      let queue = Promise.resolve()
      const send = msg => {
        const copy = JSON.parse(JSON.stringify(msg))
        setImmediate(() => { other.queue = other.queue.then(() => other.receive(copy)).catch(err => errors.push(err)) })
      }
      pc.onnegotiationneeded = async () => {
        try {
          assert.equal(pc.signalingState, 'stable')
          makingOffer = true
          await pc.setLocalDescription()
          send({ description: pc.localDescription })
        } catch (err) {
          errors.push(err)
        } finally {
          makingOffer = false
        }
      }
      pc.onicecandidate = ({ candidate }) => send({ candidate })
      const self = {
        get queue () { return queue },
        set queue (q) { queue = q },
        connect (o) { other = o },
        async receive ({ description, candidate }) {
          if (description) {
            const collision = description.type === 'offer' && (makingOffer || pc.signalingState !== 'stable')
            ignoreOffer = !polite && collision
            if (ignoreOffer) return
            if (collision && explicitRollback) {
              await Promise.all([pc.setLocalDescription({ type: 'rollback' }), pc.setRemoteDescription(description)])
            } else {
              await pc.setRemoteDescription(description)
            }
            if (description.type === 'offer') {
              await pc.setLocalDescription()
              send({ description: pc.localDescription })
            }
          } else if (candidate !== undefined) {
            try {
              await pc.addIceCandidate(candidate)
            } catch (err) {
              if (!ignoreOffer) throw err
            }
          }
        }
      }
      return self
    }

    async function glare (politeIsA, explicitRollback) {
      const a = makePc()
      const b = makePc()
      const errors = []
      const pa = peer(a, politeIsA, explicitRollback, errors)
      const pb = peer(b, !politeIsA, explicitRollback, errors)
      pa.connect(pb)
      pb.connect(pa)
      const remoteOnA = once(a, 'datachannel').then(e => e.channel)
      const remoteOnB = once(b, 'datachannel').then(e => e.channel)
      const dcA = a.createDataChannel('from-a')
      const dcB = b.createDataChannel('from-b')
      await Promise.all([once(dcA, 'open'), once(dcB, 'open')])
      const [gotOnA, gotOnB] = await Promise.all([remoteOnA, remoteOnB])
      assert.equal(gotOnA.label, 'from-b')
      assert.equal(gotOnB.label, 'from-a')
      assert.notEqual(dcA.id, dcB.id)
      const echo = (send, recv, text) => {
        const p = once(recv, 'message').then(e => e.data)
        send.send(text)
        return p
      }
      assert.equal(await echo(dcA, gotOnB, 'a->b'), 'a->b')
      assert.equal(await echo(gotOnB, dcA, 'b->a on a'), 'b->a on a')
      assert.equal(await echo(dcB, gotOnA, 'b->a'), 'b->a')
      assert.equal(await echo(gotOnA, dcB, 'a->b on b'), 'a->b on b')
      assert.equal(a.signalingState, 'stable')
      assert.equal(b.signalingState, 'stable')
      assert.deepEqual(errors, [])
    }

    it('converges with glare, polite side a, explicit rollback', () => glare(true, true))
    it('converges with glare, polite side b, explicit rollback', () => glare(false, true))
    it('converges with glare, polite side a, implicit rollback', () => glare(true, false))
  })
})
