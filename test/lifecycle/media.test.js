'use strict'
// Media lifecycle: close() ends every receiver's track (readyState 'ended', without an 'ended'
// event: webrtc-pc's "stop the transceiver" with disappear = true) and leaves the local tracks it
// was sending live; a closed media connection does not hold the process.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { mediaDevices } = require('../..')
const { closeAll, once, trickledPeers, negotiate } = require('../helpers/pair')

describe('lifecycle: media', function () {
  this.timeout(20000)
  afterEach(closeAll)

  async function call () {
    const { a, b } = trickledPeers()
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
    for (const t of stream.getTracks()) a.addTrack(t, stream)
    const remote = []
    b.ontrack = e => { remote.push(e) }
    await negotiate(a, b)
    assert.equal(remote.length, 2)
    await Promise.all(remote.map(e => e.track.muted ? once(e.track, 'unmute') : null))
    return { a, b, stream, remote }
  }

  it('close() ends the remote tracks at once, without an ended event; the remote streams go inactive', async () => {
    const { b, stream, remote } = await call()
    const ended = []
    for (const e of remote) e.track.onended = () => ended.push(e.track.kind)
    assert.equal(remote[0].streams[0].active, true)
    b.close()
    for (const e of remote) {
      assert.equal(e.track.readyState, 'ended', e.track.kind)
      assert.equal(e.receiver.track.readyState, 'ended')
    }
    assert.equal(remote[0].streams[0].active, false)
    await new Promise(resolve => setTimeout(resolve, 100))
    assert.deepEqual(ended, [], 'close() fires no ended event')
    for (const t of stream.getTracks()) t.stop()
  })

  it('close() on the sending side ends its receivers\' tracks and leaves the local tracks it sent live', async () => {
    const { a, stream } = await call()
    a.close()
    for (const t of a.getTransceivers()) {
      assert.equal(t.receiver.track.readyState, 'ended')
      assert.equal(t.currentDirection, 'stopped')
    }
    for (const t of stream.getTracks()) assert.equal(t.readyState, 'live', `${t.kind}: the local track is the script's`)
    for (const t of stream.getTracks()) t.stop()
  })

  it('a closed connection\'s transceivers throw InvalidStateError, and its remote tracks stay ended', async () => {
    const { b, remote, stream } = await call()
    b.close()
    const [t] = b.getTransceivers()
    assert.throws(() => { t.direction = 'inactive' }, { name: 'InvalidStateError' })
    assert.throws(() => t.stop(), { name: 'InvalidStateError' })
    await assert.rejects(t.sender.replaceTrack(null), { name: 'InvalidStateError' })
    assert.throws(() => b.addTransceiver('audio'), { name: 'InvalidStateError' })
    remote[0].track.enabled = false
    assert.equal(remote[0].track.readyState, 'ended')
    const clone = remote[0].track.clone()
    assert.equal(clone.readyState, 'ended')
    for (const x of stream.getTracks()) x.stop()
  })

  it('a process whose media calls are closed (local tracks left live) exits by itself', function () {
    const script = `
      const { RTCPeerConnection, mediaDevices } = require(${JSON.stringify(path.join(__dirname, '..', '..'))})
      ;(async () => {
        const a = new RTCPeerConnection(), b = new RTCPeerConnection()
        a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate)
        b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate)
        const s = await mediaDevices.getUserMedia({ audio: true, video: true })
        for (const t of s.getTracks()) a.addTrack(t, s)
        const unmuted = new Promise(r => { b.ontrack = e => { e.track.onunmute = r } })
        await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription)
        await unmuted
        a.close(); b.close()
        console.log('closed')
      })()`
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 15000 })
    assert.equal(r.signal, null, 'it had to be killed: ' + r.stderr)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'closed')
  })

  it('liveObjects counts the transceivers and tracks of a live call, and close() + GC releases them', function () {
    const script = `
      const { RTCPeerConnection, mediaDevices, nonstandard } = require(${JSON.stringify(path.join(__dirname, '..', '..'))})
      ;(async () => {
        const out = { before: nonstandard.liveObjects() }
        // In a function of its own: a suspended async function keeps its locals (a loop's last track).
        await (async () => {
          const a = new RTCPeerConnection(), b = new RTCPeerConnection()
          a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate)
          b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate)
          const s = await mediaDevices.getUserMedia({ audio: true, video: true })
          for (const t of s.getTracks()) a.addTrack(t, s)
          await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription)
          await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription)
          out.during = nonstandard.liveObjects()
          a.close(); b.close()
          for (const t of s.getTracks()) t.stop()
        })()
        for (let i = 0; i < 20; i++) { global.gc(); await new Promise(r => setTimeout(r, 20)) }
        out.after = nonstandard.liveObjects()
        console.log(JSON.stringify(out))
      })()`
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 15000 })
    assert.equal(r.status, 0, r.stderr)
    const { before, during, after } = JSON.parse(r.stdout)
    assert.deepEqual([before.rtpTransceivers, before.mediaStreamTracks], [0, 0])
    // 2 transceivers a side; 2 local tracks, and a receiver track per transceiver.
    assert.deepEqual([during.rtpTransceivers, during.mediaStreamTracks, during.dataChannels], [4, 6, 0], JSON.stringify(during))
    assert.deepEqual([after.rtpTransceivers, after.mediaStreamTracks, after.peerConnections], [0, 0, 0], JSON.stringify(after))
  })
})
