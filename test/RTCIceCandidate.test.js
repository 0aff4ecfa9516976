'use strict'
const assert = require('node:assert/strict')
const { RTCIceCandidate } = require('..')

const HOST = 'candidate:1905690388 1 udp 2113937151 192.168.0.1 58041 typ host generation 0 ufrag thC8 network-cost 50'
const SRFLX = 'candidate:435653019 2 tcp 1845501695 203.0.113.7 9 typ srflx raddr 192.168.0.1 rport 58041 tcptype passive'

describe('RTCIceCandidate', () => {
  it('requires sdpMid or sdpMLineIndex (TypeError otherwise)', () => {
    assert.throws(() => new RTCIceCandidate(), TypeError)
    assert.throws(() => new RTCIceCandidate({}), TypeError)
    assert.throws(() => new RTCIceCandidate({ candidate: '' }), TypeError)
    assert.throws(() => new RTCIceCandidate({ candidate: HOST }), TypeError)
    assert.throws(() => new RTCIceCandidate({ candidate: HOST, sdpMid: null, sdpMLineIndex: null }), TypeError)
  })

  it('has spec defaults when only sdpMid is given', () => {
    const c = new RTCIceCandidate({ sdpMid: '0' })
    assert.equal(c.candidate, '')
    assert.equal(c.sdpMid, '0')
    assert.equal(c.sdpMLineIndex, null)
    assert.equal(c.usernameFragment, null)
    for (const k of ['foundation', 'component', 'priority', 'address', 'protocol', 'port', 'type',
      'tcpType', 'relatedAddress', 'relatedPort']) {
      assert.equal(c[k], null, k)
    }
  })

  it('converts candidate:null to the string "null" and keeps sdpMLineIndex', () => {
    const c = new RTCIceCandidate({ candidate: null, sdpMLineIndex: 0 })
    assert.equal(c.candidate, 'null')
    assert.equal(c.sdpMLineIndex, 0)
    assert.equal(c.sdpMid, null)
  })

  it('does not validate candidate, sdpMid or sdpMLineIndex', () => {
    const c = new RTCIceCandidate({ candidate: 'garbage', sdpMid: 'anything', sdpMLineIndex: 65535 })
    assert.equal(c.candidate, 'garbage')
    assert.equal(c.sdpMid, 'anything')
    assert.equal(c.sdpMLineIndex, 65535)
    assert.equal(c.address, null)
  })

  it('parses a host UDP candidate', () => {
    const c = new RTCIceCandidate({ candidate: HOST, sdpMid: 'audio', sdpMLineIndex: 0, usernameFragment: 'abcd' })
    assert.equal(c.foundation, '1905690388')
    assert.equal(c.component, 'rtp')
    assert.equal(c.protocol, 'udp')
    assert.equal(c.priority, 2113937151)
    assert.equal(c.address, '192.168.0.1')
    assert.equal(c.port, 58041)
    assert.equal(c.type, 'host')
    assert.equal(c.tcpType, null)
    assert.equal(c.relatedAddress, null)
    assert.equal(c.relatedPort, null)
    assert.equal(c.usernameFragment, 'abcd')
  })

  it('parses an rtcp srflx TCP candidate with related address and tcptype', () => {
    const c = new RTCIceCandidate({ candidate: 'a=' + SRFLX, sdpMLineIndex: 1 })
    assert.equal(c.component, 'rtcp')
    assert.equal(c.protocol, 'tcp')
    assert.equal(c.type, 'srflx')
    assert.equal(c.tcpType, 'passive')
    assert.equal(c.address, '203.0.113.7')
    assert.equal(c.port, 9)
    assert.equal(c.relatedAddress, '192.168.0.1')
    assert.equal(c.relatedPort, 58041)
  })

  it('takes usernameFragment from the init dictionary only, not from the ufrag token', () => {
    const c = new RTCIceCandidate({ candidate: HOST, sdpMid: '0' })
    assert.equal(c.usernameFragment, null)
  })

  it('has a readonly candidate attribute', () => {
    const c = new RTCIceCandidate({ candidate: HOST, sdpMid: '0' })
    assert.throws(() => { c.candidate = 'x' }, TypeError)
    assert.throws(() => { c.port = 1 }, TypeError)
    assert.equal(c.candidate, HOST)
  })

  it('toJSON() gives exactly candidate, sdpMid, sdpMLineIndex, usernameFragment', () => {
    const c = new RTCIceCandidate({ candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'uf' })
    const json = c.toJSON()
    assert.deepEqual(Object.keys(json).sort(), ['candidate', 'sdpMLineIndex', 'sdpMid', 'usernameFragment'])
    assert.deepEqual(json, { candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'uf' })
    const copy = new RTCIceCandidate(JSON.parse(JSON.stringify(c)))
    assert.equal(copy.candidate, HOST)
    assert.equal(copy.port, 58041)
    assert.equal(copy.usernameFragment, 'uf')
  })
})
