'use strict'
// Garbage collection: connections and channels, transceivers and tracks dropped without close()
// are collected and release their native objects; the remote side of a collected connection keeps
// working.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('./helpers')

describe('reliability: garbage collection', function () {
  this.timeout(120000)
  let r, res

  before(async function () {
    r = await runFixture('gc.js', { nodeArgs: ['--expose-gc'], timeout: 100000 })
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    res = lastJson(r)
    console.log(`      gc figures: ${JSON.stringify(res)}`)
  })

  // A scenario runs alongside the slow one, whose two connections and channels may still be live.
  const others = { peerConnections: 2, dataChannels: 2 }
  function released (live) {
    assert.ok(live.peerConnections <= others.peerConnections && live.dataChannels <= others.dataChannels,
      `native objects left: ${JSON.stringify(live)}`)
  }

  it('certificates used by dropped connections are collected with them', function () {
    assert.equal(res.certificates.notCollected, 0, JSON.stringify(res.certificates))
    released(res.certificates.live)
  })

  it('unconnected connections with channels, dropped, are collected and release their native objects', function () {
    assert.equal(res.unconnected.notCollected, 0, JSON.stringify(res.unconnected))
    released(res.unconnected.live)
  })

  it('connected pairs with open channels, dropped on both sides, are collected and released', function () {
    assert.equal(res.connected.notCollected, 0, JSON.stringify(res.connected))
    released(res.connected.live)
  })

  it('media pairs (video + audio flowing), dropped with their transceivers and tracks, are collected and release everything', function () {
    const m = res.media
    assert.equal(m.notCollected, 0, JSON.stringify(m))
    // While held: 10 pairs x 2 transceivers per side; 2 local + 2 remote tracks per pair.
    assert.ok(m.liveBefore.rtpTransceivers >= 40 && m.liveBefore.mediaStreamTracks >= 40, JSON.stringify(m.liveBefore))
    released(m.live)
    assert.equal(m.live.rtpTransceivers, 0, JSON.stringify(m.live))
    assert.equal(m.live.mediaStreamTracks, 0, JSON.stringify(m.live))
  })

  it('dropping one side of an open connection ends it for the other side, which keeps working', function () {
    const o = res.oneSideDropped
    assert.equal(o.notCollected, 0, JSON.stringify(o))
    assert.equal(o.remoteChannelsClosed, true, 'the surviving side never saw its channel close')
    assert.equal(o.remoteStates, 0)
    assert.equal(o.afterwards, 'still here')
  })

  it('a closed connection is collected even with listeners', function () {
    assert.equal(res.closedWithListeners.notCollected, 0, JSON.stringify(res.closedWithListeners))
  })

  it('a dropped connection with listeners stays alive and working until the remote ends it, then is collected', function () {
    const l = res.listenersKeepAlive
    assert.equal(l.collectedWhileActive, 0, 'collected while it could still fire events')
    assert.equal(l.reply, 'echo ping', 'the dropped connection stopped working')
    assert.deepEqual(l.states.slice(-1), ['failed'])
    assert.equal(l.notCollectedAfterRemoteClose, 0, 'a remote-closed, failed connection was never collected')
  })

  it('nothing native is left at the end: wrappers released, libwebrtc connections destroyed, their timers dropped', function () {
    assert.deepEqual(res.liveAtEnd, {
      peerConnections: 0, dataChannels: 0, rtpTransceivers: 0, mediaStreamTracks: 0, trackSources: 0, trackSinks: 0, lentMediaBuffers: 0, certificates: 0, relaySources: 0, relayAudioSources: 0, audioForwardRoutes: 0, audioDemands: 0, decodeGates: 0, simulcastLayers: 0, transformerSlots: 0, libwebrtcPeerConnections: 0, longTimers: 0
    })
  })
})
