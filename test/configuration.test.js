'use strict'
const assert = require('node:assert/strict')
const { RTCPeerConnection } = require('..')
const { makePc, closeAll, throwsWith } = require('./helpers/pair')

// Every configuration check runs through the constructor and through setConfiguration().
function both (config, name) {
  throwsWith(() => new RTCPeerConnection(config), name)
  const pc = makePc()
  throwsWith(() => pc.setConfiguration(config), name)
}

describe('RTCConfiguration', () => {
  afterEach(closeAll)

  it('RTCPeerConnection.length is 0 and the empty forms are accepted', () => {
    assert.equal(RTCPeerConnection.length, 0)
    for (const config of [undefined, null, {}, { certificates: undefined }, { certificates: [] }, { iceServers: undefined }, { iceServers: [] }]) {
      const pc = new RTCPeerConnection(config)
      pc.close()
    }
  })

  it('getConfiguration() has the spec defaults', () => {
    const c = makePc().getConfiguration()
    assert.deepEqual(c.iceServers, [])
    assert.equal(c.iceTransportPolicy, 'all')
    assert.equal(c.bundlePolicy, 'balanced')
    assert.equal(c.rtcpMuxPolicy, 'require')
    assert.equal(c.iceCandidatePoolSize, 0)
  })

  it('getConfiguration() returns a fresh copy', () => {
    const pc = makePc({ iceServers: [{ urls: ['stun:stun.example.net'] }] })
    const c = pc.getConfiguration()
    c.iceServers[0].urls.push('stun:other.example.net')
    c.iceTransportPolicy = 'relay'
    assert.deepEqual(pc.getConfiguration().iceServers[0].urls, ['stun:stun.example.net'])
    assert.equal(pc.getConfiguration().iceTransportPolicy, 'all')
  })

  it('reflects given values', () => {
    const c = makePc({
      iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle', iceCandidatePoolSize: 255
    }).getConfiguration()
    assert.equal(c.iceTransportPolicy, 'relay')
    assert.equal(c.bundlePolicy, 'max-bundle')
    assert.equal(c.iceCandidatePoolSize, 255)
  })

  it('echoes ice servers with urls always as an array, in order, credentials exact', () => {
    const pc = makePc({
      iceServers: [
        { urls: 'stun:stun1.example.net' },
        { urls: ['turns:turn.example.org', 'turn:turn.example.net'], username: '', credential: '' },
        { urls: 'turn:turn.example.org?transport=tcp', username: 'user', credential: 'secret' }
      ]
    })
    const { iceServers } = pc.getConfiguration()
    assert.equal(iceServers.length, 3)
    assert.deepEqual(iceServers[0].urls, ['stun:stun1.example.net'])
    assert.deepEqual(iceServers[1].urls, ['turns:turn.example.org', 'turn:turn.example.net'])
    assert.equal(iceServers[1].username, '')
    assert.equal(iceServers[1].credential, '')
    assert.deepEqual(iceServers[2].urls, ['turn:turn.example.org?transport=tcp'])
    assert.equal(iceServers[2].username, 'user')
    assert.equal(iceServers[2].credential, 'secret')
  })

  it('accepts 32 ice servers and returns them in order', () => {
    const servers = Array.from({ length: 32 }, (_, i) => ({ urls: [`stun:stun${i}.example.net`] }))
    const got = makePc({ iceServers: servers }).getConfiguration().iceServers
    assert.deepEqual(got.map(s => s.urls[0]), servers.map(s => s.urls[0]))
  })

  it('throws TypeError for null/invalid dictionary members', () => {
    both({ iceServers: null }, 'TypeError')
    both({ iceServers: [null] }, 'TypeError')
    both({ iceServers: [undefined] }, 'TypeError')
    both({ iceServers: [{}] }, 'TypeError')
    both({ iceServers: [{ url: 'stun:stun.example.net' }] }, 'TypeError')
    both({ iceTransportPolicy: 'invalid' }, 'TypeError')
    both({ iceTransportPolicy: null }, 'TypeError')
    both({ bundlePolicy: 'invalid' }, 'TypeError')
    both({ rtcpMuxPolicy: null }, 'TypeError')
    both({ iceCandidatePoolSize: -1 }, 'TypeError')
    both({ iceCandidatePoolSize: 256 }, 'TypeError')
    throwsWith(() => new RTCPeerConnection({ certificates: null }), 'TypeError')
    throwsWith(() => new RTCPeerConnection({ certificates: [null] }), 'TypeError')
  })

  it('throws SyntaxError (DOMException) for bad ICE server URLs', () => {
    for (const urls of ['', ['stun:stun1.example.net', ''], 'relative-url', 'http://example.com',
      'turn://example.org/foo?x=y', 'stun://example.org/foo?x=y', [], 'stun:example.org?transport=udp']) {
      both({ iceServers: [{ urls }] }, 'SyntaxError')
    }
  })

  it('throws InvalidAccessError for TURN without full credentials or with a too long username', () => {
    both({ iceServers: [{ urls: 'turn:turn.example.org' }] }, 'InvalidAccessError')
    both({ iceServers: [{ urls: 'turns:turn.example.org', username: 'user' }] }, 'InvalidAccessError')
    both({ iceServers: [{ urls: 'turn:turn.example.org', credential: 'cred' }] }, 'InvalidAccessError')
    both({ iceServers: [{ urls: 'turn:turn.example.org', username: 'u'.repeat(510), credential: 'c' }] }, 'InvalidAccessError')
    makePc({ iceServers: [{ urls: 'turn:turn.example.org', username: 'u'.repeat(509), credential: 'c' }] })
  })

  it('keeps unknown members out and rejects plan-b', () => {
    const pc = makePc({ iceTransports: 'relay', sdpSemantics: 'plan-b' })
    const c = pc.getConfiguration()
    assert.equal(c.iceTransportPolicy, 'all')
    assert.notEqual(c.sdpSemantics, 'plan-b')
  })

  describe('setConfiguration()', () => {
    it('updates iceServers and iceTransportPolicy; {} resets them', () => {
      const pc = makePc()
      pc.setConfiguration({ iceServers: [{ urls: 'stun:stun.example.net' }], iceTransportPolicy: 'relay' })
      assert.deepEqual(pc.getConfiguration().iceServers.map(s => s.urls), [['stun:stun.example.net']])
      assert.equal(pc.getConfiguration().iceTransportPolicy, 'relay')
      pc.setConfiguration({})
      assert.deepEqual(pc.getConfiguration().iceServers, [])
      assert.equal(pc.getConfiguration().iceTransportPolicy, 'all')
    })

    it('throws InvalidModificationError when bundlePolicy or rtcpMuxPolicy would change', () => {
      const pc = makePc({ bundlePolicy: 'max-bundle' })
      throwsWith(() => pc.setConfiguration({ bundlePolicy: 'max-compat' }), 'InvalidModificationError')
      throwsWith(() => pc.setConfiguration({}), 'InvalidModificationError')
      pc.setConfiguration({ bundlePolicy: 'max-bundle' })
      const other = makePc()
      throwsWith(() => other.setConfiguration({ rtcpMuxPolicy: 'negotiate' }), 'InvalidModificationError')
      other.setConfiguration({})
      assert.equal(other.getConfiguration().rtcpMuxPolicy, 'require')
    })

    it('is atomic: an invalid configuration applies nothing', () => {
      const pc = makePc()
      throwsWith(() => pc.setConfiguration({ iceTransportPolicy: 'relay', iceServers: [{ urls: '' }] }), 'SyntaxError')
      assert.equal(pc.getConfiguration().iceTransportPolicy, 'all')
    })

    it('throws InvalidStateError on a closed connection', () => {
      const pc = makePc()
      pc.close()
      throwsWith(() => pc.setConfiguration({}), 'InvalidStateError')
    })
  })
})
