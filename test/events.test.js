'use strict'
const assert = require('node:assert/strict')
const {
  RTCPeerConnection, RTCPeerConnectionIceEvent, RTCDataChannelEvent, RTCErrorEvent, RTCError, RTCIceCandidate,
  RTCDataChannel
} = require('..')
const { makePc, closeAll, once } = require('./helpers/pair')

describe('event classes', () => {
  afterEach(closeAll)

  describe('RTCPeerConnectionIceEvent', () => {
    it('requires a type', () => {
      assert.throws(() => new RTCPeerConnectionIceEvent(), TypeError)
    })

    it('defaults candidate and url to null, not bubbling or cancelable', () => {
      for (const e of [new RTCPeerConnectionIceEvent('icecandidate'), new RTCPeerConnectionIceEvent('icecandidate', {})]) {
        assert.ok(e instanceof Event)
        assert.equal(e.type, 'icecandidate')
        assert.equal(e.candidate, null)
        assert.equal(e.url, null)
        assert.equal(e.bubbles, false)
        assert.equal(e.cancelable, false)
      }
      assert.equal(new RTCPeerConnectionIceEvent('x', { candidate: null }).candidate, null)
      assert.equal(new RTCPeerConnectionIceEvent('x', { candidate: undefined }).candidate, null)
    })

    it('keeps the same RTCIceCandidate object and honours bubbles/cancelable', () => {
      const candidate = new RTCIceCandidate({ sdpMid: '0' })
      const e = new RTCPeerConnectionIceEvent('x', { candidate, bubbles: true, cancelable: true })
      assert.equal(e.candidate, candidate)
      assert.equal(e.bubbles, true)
      assert.equal(e.cancelable, true)
    })

    it('rejects a plain object as candidate with TypeError', () => {
      assert.throws(() => new RTCPeerConnectionIceEvent('x', { candidate: { candidate: '', sdpMid: '0' } }), TypeError)
    })
  })

  describe('RTCDataChannelEvent', () => {
    it('has length 2 and requires a channel', () => {
      assert.equal(RTCDataChannelEvent.length, 2)
      assert.throws(() => new RTCDataChannelEvent('datachannel'), TypeError)
      assert.throws(() => new RTCDataChannelEvent('datachannel', {}), TypeError)
      assert.throws(() => new RTCDataChannelEvent('datachannel', { channel: null }), TypeError)
      assert.throws(() => new RTCDataChannelEvent('datachannel', { channel: undefined }), TypeError)
      assert.throws(() => new RTCDataChannelEvent('datachannel', { channel: {} }), TypeError)
    })

    it('carries the given channel', () => {
      const pc = makePc()
      const channel = pc.createDataChannel('x')
      const e = new RTCDataChannelEvent('datachannel', { channel })
      assert.ok(e instanceof RTCDataChannelEvent)
      assert.ok(e instanceof Event)
      assert.equal(e.channel, channel)
      assert.equal(e.bubbles, false)
    })
  })

  describe('RTCError', () => {
    it('requires an init with a valid errorDetail', () => {
      assert.throws(() => new RTCError(), TypeError)
      assert.throws(() => new RTCError({}), TypeError)
      assert.throws(() => new RTCError({ errorDetail: 'invalid' }), TypeError)
    })

    it('is an OperationError DOMException with the given message', () => {
      const e = new RTCError({ errorDetail: 'data-channel-failure' }, 'boom')
      assert.ok(e instanceof DOMException)
      assert.ok(e instanceof RTCError)
      assert.equal(e.name, 'OperationError')
      assert.equal(e.code, 0)
      assert.equal(e.message, 'boom')
      assert.equal(e.errorDetail, 'data-channel-failure')
      assert.equal(new RTCError({ errorDetail: 'sctp-failure' }).message, '')
    })

    it('accepts every RTCErrorDetailType', () => {
      for (const d of ['data-channel-failure', 'dtls-failure', 'fingerprint-failure', 'sctp-failure',
        'sdp-syntax-error', 'hardware-encoder-not-available', 'hardware-encoder-error']) {
        assert.equal(new RTCError({ errorDetail: d }).errorDetail, d)
      }
    })

    it('reflects optional fields, null by default, 0 preserved, readonly', () => {
      const none = new RTCError({ errorDetail: 'dtls-failure' })
      for (const k of ['sdpLineNumber', 'sctpCauseCode', 'receivedAlert', 'sentAlert']) assert.equal(none[k], null, k)
      const e = new RTCError({ errorDetail: 'dtls-failure', sdpLineNumber: 0, sctpCauseCode: 12, receivedAlert: 2, sentAlert: 40 })
      assert.equal(e.sdpLineNumber, 0)
      assert.equal(e.sctpCauseCode, 12)
      assert.equal(e.receivedAlert, 2)
      assert.equal(e.sentAlert, 40)
      assert.throws(() => { e.errorDetail = 'sctp-failure' }, TypeError)
      assert.throws(() => { e.sctpCauseCode = 1 }, TypeError)
      assert.equal(e.errorDetail, 'dtls-failure')
    })

    // webrtc-pc moved it to webrtc-identity, which this package implements (test/identity.test.js)
    it('has httpRequestStatusCode (webrtc-identity): null unless given, and the IdP error details', () => {
      assert.equal(new RTCError({ errorDetail: 'dtls-failure' }).httpRequestStatusCode, null)
      const e = new RTCError({ errorDetail: 'idp-load-failure', httpRequestStatusCode: 404 })
      assert.equal(e.httpRequestStatusCode, 404)
      for (const d of ['idp-bad-script-failure', 'idp-execution-failure', 'idp-load-failure', 'idp-need-login',
        'idp-timeout', 'idp-tls-failure', 'idp-token-expired', 'idp-token-invalid']) {
        assert.equal(new RTCError({ errorDetail: d }).errorDetail, d)
      }
    })
  })

  describe('RTCErrorEvent', () => {
    it('requires an RTCError and exposes the same object', () => {
      assert.throws(() => new RTCErrorEvent('error'), TypeError)
      assert.throws(() => new RTCErrorEvent('error', {}), TypeError)
      assert.throws(() => new RTCErrorEvent('error', { error: new Error('x') }), TypeError)
      const error = new RTCError({ errorDetail: 'sctp-failure' })
      const e = new RTCErrorEvent('error', { error })
      assert.ok(e instanceof Event)
      assert.equal(e.type, 'error')
      assert.equal(e.error, error)
      assert.equal(e.error, e.error)
    })
  })

  describe('on<event> attributes', () => {
    it('are null initially on RTCPeerConnection and RTCDataChannel', () => {
      const pc = makePc()
      for (const t of ['negotiationneeded', 'icecandidate', 'icecandidateerror', 'signalingstatechange',
        'iceconnectionstatechange', 'icegatheringstatechange', 'connectionstatechange', 'datachannel']) {
        assert.equal(pc['on' + t], null, 'on' + t)
      }
      const dc = pc.createDataChannel('x')
      for (const t of ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close']) {
        assert.equal(dc['on' + t], null, 'on' + t)
      }
    })

    it('can be set, replaced and cleared; only the current handler runs, with this = target', async () => {
      const pc = makePc()
      const calls = []
      const first = function (e) { calls.push(['first', this, e.type]) }
      const second = function (e) { calls.push(['second', this, e.type]) }
      pc.onsignalingstatechange = first
      assert.equal(pc.onsignalingstatechange, first)
      pc.onsignalingstatechange = second
      assert.equal(pc.onsignalingstatechange, second)
      const listened = []
      pc.addEventListener('signalingstatechange', () => listened.push(pc.signalingState))
      await pc.setLocalDescription(await pc.createOffer())
      assert.deepEqual(calls, [['second', pc, 'signalingstatechange']])
      assert.deepEqual(listened, ['have-local-offer'])

      pc.onsignalingstatechange = null
      assert.equal(pc.onsignalingstatechange, null)
      await pc.setLocalDescription({ type: 'rollback' })
      assert.equal(calls.length, 1, 'a cleared handler must not run')
      assert.deepEqual(listened, ['have-local-offer', 'stable'])
    })

    it('ignores non-function values', () => {
      const pc = makePc()
      pc.onnegotiationneeded = () => {}
      pc.onnegotiationneeded = 'not a function'
      assert.equal(pc.onnegotiationneeded, null)
    })

    it('dispatches typed events to ondatachannel and onicecandidate', async () => {
      const a = makePc()
      const b = makePc()
      const iceEvents = []
      a.onicecandidate = e => {
        iceEvents.push(e)
        if (e.candidate) b.addIceCandidate(e.candidate)
      }
      b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate) }
      a.createDataChannel('typed')
      const dcEvent = new Promise(resolve => { b.ondatachannel = resolve })
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      await b.setLocalDescription()
      await a.setRemoteDescription(b.localDescription)
      const e = await dcEvent
      assert.ok(e instanceof RTCDataChannelEvent)
      assert.equal(e.type, 'datachannel')
      assert.equal(e.bubbles, false)
      assert.equal(e.cancelable, false)
      assert.ok(e.channel instanceof RTCDataChannel)
      assert.equal(e.channel.label, 'typed')
      if (a.iceGatheringState !== 'complete') await once(a, 'icegatheringstatechange', () => a.iceGatheringState === 'complete')
      assert.ok(iceEvents.length >= 2)
      for (const ev of iceEvents) {
        assert.ok(ev instanceof RTCPeerConnectionIceEvent)
        assert.equal(ev.bubbles, false)
        assert.equal(ev.cancelable, false)
      }
    })
  })

  it('exposes constructors users can check with instanceof', () => {
    const pc = new RTCPeerConnection()
    try {
      assert.ok(pc instanceof EventTarget)
      assert.throws(() => new RTCDataChannel(), TypeError)
    } finally {
      pc.close()
    }
  })
})
