'use strict'
// getStats (webrtc-pc 8.2-8.5, webrtc-stats): RTCStatsReport, the types a call with a data channel
// and audio + video produces, references inside a report, counters that agree between the two
// ends and grow, the selector forms, data channel counters of our direct send path, closed peers.
const assert = require('node:assert/strict')
const { RTCPeerConnection, RTCStatsReport, mediaDevices } = require('..')
const { makePc, closeAll, once, until, delay, trickle, negotiate, pair, rejectsWith } = require('./helpers/pair')

function byType (report, type) { return [...report.values()].filter(s => s.type === type) }

/** Every member named like a reference (…Id) names a stats object of the same report. */
function assertReferencesResolve (report) {
  for (const s of report.values()) {
    for (const [key, value] of Object.entries(s)) {
      if (key === 'id' || !key.endsWith('Id')) continue
      assert.equal(typeof value, 'string', `${s.type} ${key}`)
      assert.ok(report.has(value), `${s.type} ${s.id}: ${key} ${value} is not in the report`)
    }
  }
}

/** Reports of both peers, until `ready(reportA, reportB)` holds (or `ms` passed). */
async function statsUntil (a, b, ready, ms = 15000) {
  const end = Date.now() + ms
  for (;;) {
    const [ra, rb] = await Promise.all([a.getStats(), b.getStats()])
    if (ready(ra, rb) || Date.now() > end) return [ra, rb]
    await delay(250)
  }
}

/** a sends audio + video to b, with a data channel a -> b. */
async function call () {
  const errors = []
  const a = makePc(); const b = makePc()
  trickle(a, b, errors); trickle(b, a, errors)
  const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 30 } })
  const [audio] = stream.getAudioTracks()
  const [video] = stream.getVideoTracks()
  a.addTrack(audio, stream)
  a.addTrack(video, stream)
  const dcA = a.createDataChannel('stats')
  const remoteTracks = []
  b.ontrack = e => { remoteTracks.push(e.track) }
  const remoteChannel = once(b, 'datachannel').then(e => e.channel)
  await negotiate(a, b)
  await once(dcA, 'open')
  const dcB = await remoteChannel
  if (dcB.readyState !== 'open') await once(dcB, 'open')
  for (const t of remoteTracks) await until(t, 'unmute', () => !t.muted)
  return { a, b, audio, video, dcA, dcB, remoteTracks, errors }
}

describe('getStats', function () {
  this.timeout(60000)

  describe('RTCStatsReport', () => {
    afterEach(closeAll)

    it('a new connection reports its peer-connection stats, as a read-only maplike', async () => {
      const pc = makePc()
      const before = performance.timeOrigin + performance.now()
      const report = await pc.getStats()
      const after = performance.timeOrigin + performance.now()
      assert.ok(report instanceof RTCStatsReport)
      assert.equal(Object.prototype.toString.call(report), '[object RTCStatsReport]')
      assert.throws(() => new RTCStatsReport(), TypeError)
      const [pcStats] = byType(report, 'peer-connection')
      assert.ok(pcStats, 'peer-connection stats')
      assert.equal(report.get(pcStats.id), pcStats)
      assert.equal(report.has(pcStats.id), true)
      assert.equal(report.has('nope'), false)
      assert.equal(report.get('nope'), undefined)
      assert.equal(report.size, [...report.keys()].length)
      assert.deepEqual([...report].map(([k]) => k), [...report.keys()])
      assert.deepEqual([...report.entries()].map(([, v]) => v), [...report.values()])
      const seen = []
      const self = {}
      report.forEach(function (value, key, map) { assert.equal(this, self); assert.equal(map, report); seen.push([key, value]) }, self)
      assert.deepEqual(seen, [...report])
      assert.throws(() => report.forEach(null), TypeError)
      assert.equal(typeof report.set, 'undefined')
      assert.equal(typeof report.delete, 'undefined')
      assert.equal(pcStats.dataChannelsOpened, 0)
      assert.equal(pcStats.dataChannelsClosed, 0)
      // webrtc-stats: DOMHighResTimeStamp on the performance.timeOrigin clock.
      assert.ok(pcStats.timestamp >= before - 5 && pcStats.timestamp <= after + 5,
        `timestamp ${pcStats.timestamp} not within [${before}, ${after}]`)
    })

    it('getStats(null) and getStats(undefined) report the whole connection', async () => {
      const pc = makePc()
      for (const r of [await pc.getStats(null), await pc.getStats(undefined)]) {
        assert.equal(byType(r, 'peer-connection').length, 1)
      }
    })
  })

  describe('selector arguments', () => {
    afterEach(closeAll)

    it('rejects what is not a track with TypeError, the legacy callback form included', async () => {
      const pc = makePc()
      await rejectsWith(pc.getStats({}), 'TypeError')
      await rejectsWith(pc.getStats('audio'), 'TypeError')
      let called = false
      await rejectsWith(pc.getStats(() => { called = true }), 'TypeError')
      await rejectsWith(pc.getStats(() => { called = true }, () => { called = true }), 'TypeError')
      assert.equal(called, false)
    })

    it('a track the connection neither sends nor receives: InvalidAccessError', async () => {
      const pc = makePc()
      const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
      await rejectsWith(pc.getStats(track), 'InvalidAccessError')
      track.stop()
    })

    it('a track sent by two senders, or sent and received: InvalidAccessError', async () => {
      const pc = makePc()
      const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
      pc.addTransceiver(track)
      pc.addTransceiver(track)
      await rejectsWith(pc.getStats(track), 'InvalidAccessError')
      const pc2 = makePc()
      const t = pc2.addTransceiver('audio')
      pc2.addTransceiver(t.receiver.track)
      await rejectsWith(pc2.getStats(t.receiver.track), 'InvalidAccessError')
      track.stop()
    })

    it('a track added by addTrack or addTransceiver selects its sender', async () => {
      const pc = makePc()
      const stream = await mediaDevices.getUserMedia({ audio: true, video: true })
      pc.addTrack(stream.getAudioTracks()[0], stream)
      pc.addTransceiver(stream.getVideoTracks()[0])
      for (const t of stream.getTracks()) assert.ok(await pc.getStats(t) instanceof RTCStatsReport)
      const r = await pc.addTransceiver('audio').receiver.getStats()
      assert.ok(r instanceof RTCStatsReport)
      for (const t of stream.getTracks()) t.stop()
    })
  })

  describe('a call: audio + video + a data channel', () => {
    let c
    before(async function () {
      this.timeout(60000)
      c = await call()
    })
    after(() => {
      c.audio.stop(); c.video.stop()
      closeAll()
    })

    it('each side reports the types the spec lists, and every reference resolves', async () => {
      const [ra, rb] = await statsUntil(c.a, c.b, (ra, rb) =>
        byType(ra, 'remote-inbound-rtp').length === 2 && byType(rb, 'remote-outbound-rtp').length >= 1)
      const common = ['peer-connection', 'data-channel', 'transport', 'candidate-pair', 'local-candidate',
        'remote-candidate', 'certificate', 'codec']
      for (const type of [...common, 'outbound-rtp', 'media-source', 'remote-inbound-rtp']) {
        assert.ok(byType(ra, type).length > 0, `sender side lacks ${type}`)
      }
      for (const type of [...common, 'inbound-rtp', 'remote-outbound-rtp']) {
        assert.ok(byType(rb, type).length > 0, `receiver side lacks ${type}`)
      }
      // This libwebrtc (M108) reports RTCP sender reports of audio only as remote-outbound-rtp.
      assert.deepEqual(byType(rb, 'remote-outbound-rtp').map(s => s.kind), ['audio'])
      assert.deepEqual(byType(ra, 'outbound-rtp').map(s => s.kind).sort(), ['audio', 'video'])
      assert.deepEqual(byType(rb, 'inbound-rtp').map(s => s.kind).sort(), ['audio', 'video'])
      assert.deepEqual(byType(ra, 'media-source').map(s => s.kind).sort(), ['audio', 'video'])
      for (const r of [ra, rb]) {
        assertReferencesResolve(r)
        for (const s of r.values()) {
          assert.equal(typeof s.id, 'string')
          assert.equal(typeof s.timestamp, 'number')
          assert.ok(!['track', 'stream'].includes(s.type), `obsolete type ${s.type}`)
        }
        const [pcStats] = byType(r, 'peer-connection')
        assert.equal(pcStats.dataChannelsOpened, 1)
        const [transport] = byType(r, 'transport')
        assert.equal(transport.dtlsState, 'connected')
        assert.ok(r.get(transport.selectedCandidatePairId).state === 'succeeded')
      }
      const outVideo = byType(ra, 'outbound-rtp').find(s => s.kind === 'video')
      assert.equal(outVideo.mid, c.a.getTransceivers()[1].mid)
      assert.equal(ra.get(outVideo.mediaSourceId).trackIdentifier, c.video.id)
      const inVideo = byType(rb, 'inbound-rtp').find(s => s.kind === 'video')
      assert.equal(inVideo.trackIdentifier, c.remoteTracks.find(t => t.kind === 'video').id)
      assert.match(rb.get(inVideo.codecId).mimeType, /^video\//)
      const remoteIn = byType(ra, 'remote-inbound-rtp').find(s => s.kind === 'video')
      assert.equal(ra.get(remoteIn.localId).id, outVideo.id)
      // Times of received packets are on the same clock as `timestamp`.
      assert.ok(Math.abs(inVideo.lastPacketReceivedTimestamp - inVideo.timestamp) < 5000,
        `lastPacketReceivedTimestamp ${inVideo.lastPacketReceivedTimestamp} vs timestamp ${inVideo.timestamp}`)
      const [dc] = byType(ra, 'data-channel')
      assert.equal(dc.label, 'stats')
      assert.equal(dc.dataChannelIdentifier, c.dcA.id)
      assert.equal(dc.state, 'open')
    })

    it('bytes and packets sent by one side are what the other received, and they grow', async () => {
      // Sender, receiver, sender again, in that order: what was sent before the receiver's report
      // has arrived by then, and nothing arrived that was not sent by the sender's next report
      // (loopback loses nothing; a keyframe's burst in flight at one moment no longer matters).
      const flowing = r => ['audio', 'video'].every(kind => byType(r, 'inbound-rtp').some(s => s.kind === kind && s.bytesReceived > 0))
      for (let i = 0; i < 50 && !flowing(await c.b.getStats()); i++) await delay(100)
      await delay(500) // past the start, where a receiver may miss the first packets
      const ra = await c.a.getStats()
      await delay(300)
      // The receiver's report once it has what the sender had sent (a loaded machine can hold a
      // keyframe's burst in a socket for a while: 15-23 of ~40 video packets seen late, with builds
      // before and after session 18), at most 5 s later.
      const covered = r => ['audio', 'video'].every(kind => {
        const sent = byType(ra, 'outbound-rtp').find(s => s.kind === kind)
        const got = byType(r, 'inbound-rtp').find(s => s.kind === kind)
        return got && got.packetsReceived >= sent.packetsSent - Math.max(10, sent.packetsSent * 0.05)
      })
      let rb = await c.b.getStats()
      for (let i = 0; i < 50 && !covered(rb); i++) { await delay(100); rb = await c.b.getStats() }
      await delay(300)
      const ra1 = await c.a.getStats()
      for (const kind of ['audio', 'video']) {
        const before = byType(ra, 'outbound-rtp').find(s => s.kind === kind)
        const inb = byType(rb, 'inbound-rtp').find(s => s.kind === kind)
        const after = byType(ra1, 'outbound-rtp').find(s => s.kind === kind)
        assert.ok(before.bytesSent > 0 && inb.bytesReceived > 0, kind)
        // A few packets may be lost at the start; nothing more may go missing, nothing extra come.
        const missing = (sent, unit) => Math.max(10 * unit, sent * 0.05)
        const slack = kind === 'video' ? 1200 : 200 // bytes of a packet
        assert.ok(inb.bytesReceived >= before.bytesSent - missing(before.bytesSent, slack) && inb.bytesReceived <= after.bytesSent + slack,
          `${kind}: sent ${before.bytesSent} then ${after.bytesSent} bytes, received ${inb.bytesReceived} in between`)
        assert.ok(inb.packetsReceived >= before.packetsSent - missing(before.packetsSent, 1) && inb.packetsReceived <= after.packetsSent + 1,
          `${kind}: sent ${before.packetsSent} then ${after.packetsSent} packets, received ${inb.packetsReceived} in between`)
      }
      const [pairA] = byType(ra, 'candidate-pair').filter(p => p.nominated)
      assert.ok(pairA.bytesSent > 0 && pairA.bytesReceived > 0)
      await delay(1100) // libwebrtc caches a report for 50 ms
      const ra2 = await c.a.getStats()
      const rb2 = await c.b.getStats()
      const [pc1] = byType(ra, 'peer-connection')
      const [pc2] = byType(ra2, 'peer-connection')
      assert.ok(pc2.timestamp - pc1.timestamp >= 1000, `timestamps ${pc1.timestamp} -> ${pc2.timestamp}`)
      for (const kind of ['audio', 'video']) {
        const o1 = byType(ra, 'outbound-rtp').find(s => s.kind === kind)
        const o2 = byType(ra2, 'outbound-rtp').find(s => s.kind === kind)
        assert.ok(o2.bytesSent > o1.bytesSent && o2.packetsSent > o1.packetsSent, `${kind} outbound grows`)
        const i1 = byType(rb, 'inbound-rtp').find(s => s.kind === kind)
        const i2 = byType(rb2, 'inbound-rtp').find(s => s.kind === kind)
        assert.ok(i2.bytesReceived > i1.bytesReceived, `${kind} inbound grows`)
      }
      const v1 = byType(ra, 'outbound-rtp').find(s => s.kind === 'video')
      const v2 = byType(ra2, 'outbound-rtp').find(s => s.kind === 'video')
      assert.ok(v2.framesEncoded > v1.framesEncoded)
    })

    it('selectors report only the selected stream and what it references', async () => {
      const check = (report, rtpType, kind) => {
        const rtp = [...report.values()].filter(s => s.type.endsWith('-rtp') && !s.type.startsWith('remote-'))
        assert.deepEqual(rtp.map(s => [s.type, s.kind]), [[rtpType, kind]])
        assert.equal(byType(report, 'data-channel').length, 0)
        assert.equal(byType(report, 'peer-connection').length, 0)
        assertReferencesResolve(report)
        assert.ok(byType(report, 'transport').length === 1 && byType(report, 'codec').length === 1)
      }
      const videoSender = c.a.getSenders().find(s => s.track === c.video)
      check(await c.a.getStats(c.video), 'outbound-rtp', 'video')
      check(await videoSender.getStats(), 'outbound-rtp', 'video')
      check(await c.a.getStats(c.audio), 'outbound-rtp', 'audio')
      const sent = await c.a.getStats(c.audio)
      assert.equal(byType(sent, 'media-source')[0].trackIdentifier, c.audio.id)
      for (const track of c.remoteTracks) {
        check(await c.b.getStats(track), 'inbound-rtp', track.kind)
        const receiver = c.b.getReceivers().find(r => r.track === track)
        check(await receiver.getStats(), 'inbound-rtp', track.kind)
      }
      // The receiving side's senders have no track: nothing selects them by track.
      await rejectsWith(c.b.getStats(c.video), 'InvalidAccessError')
    })

    it('data channel counters count every message, sent on our direct path or not', async () => {
      const [dc0] = byType(await c.a.getStats(), 'data-channel')
      const [dcb0] = byType(await c.b.getStats(), 'data-channel')
      const sizes = [1, 10, 100, 1000, 10000, 60000]
      const n = 300
      let total = 0
      const got = new Promise(resolve => {
        let count = 0
        c.dcB.onmessage = () => { if (++count === n) resolve() }
      })
      for (let i = 0; i < n; i++) {
        const size = sizes[i % sizes.length]
        total += size
        c.dcA.send(i % 2 === 0 ? 'x'.repeat(size) : new Uint8Array(size))
      }
      await got
      await until(c.dcA, 'bufferedamountlow', () => c.dcA.bufferedAmount === 0)
      await delay(60) // past libwebrtc's 50 ms report cache
      const [dc1] = byType(await c.a.getStats(), 'data-channel')
      const [dcb1] = byType(await c.b.getStats(), 'data-channel')
      assert.equal(dc1.messagesSent - dc0.messagesSent, n)
      assert.equal(dc1.bytesSent - dc0.bytesSent, total)
      assert.equal(dcb1.messagesReceived - dcb0.messagesReceived, n)
      assert.equal(dcb1.bytesReceived - dcb0.bytesReceived, total)
      // And the other way.
      const back = once(c.dcA, 'message')
      c.dcB.send('pong')
      await back
      await delay(60)
      const [dc2] = byType(await c.a.getStats(), 'data-channel')
      const [dcb2] = byType(await c.b.getStats(), 'data-channel')
      assert.equal(dcb2.messagesSent - dcb1.messagesSent, 1)
      assert.equal(dcb2.bytesSent - dcb1.bytesSent, 4)
      assert.equal(dc2.messagesReceived - dc1.messagesReceived, 1)
      assert.equal(dc2.bytesReceived - dc1.bytesReceived, 4)
    })
  })

  describe('data channels', () => {
    afterEach(closeAll)

    it('a new channel on the stream id and label of a closed one counts its own messages only', async () => {
      const { a, b } = await pair()
      const open = async () => {
        const x = a.createDataChannel('same', { negotiated: true, id: 7 })
        const y = b.createDataChannel('same', { negotiated: true, id: 7 })
        await Promise.all([x, y].map(ch => ch.readyState === 'open' ? null : once(ch, 'open')))
        return [x, y]
      }
      const sent = async () => {
        await delay(60)
        return byType(await a.getStats(), 'data-channel').filter(s => s.dataChannelIdentifier === 7)
          .map(s => [s.state, s.messagesSent, s.bytesSent])
      }
      const [x1, y1] = await open()
      const got = new Promise(resolve => { let n = 0; y1.onmessage = () => { if (++n === 10) resolve() } })
      for (let i = 0; i < 10; i++) x1.send('hello')
      await got
      assert.deepEqual(await sent(), [['open', 10, 50]])
      x1.close()
      await Promise.all([once(x1, 'close'), once(y1, 'close')])
      assert.deepEqual(await sent(), [], 'libwebrtc reports no closed channel')
      const [x2, y2] = await open()
      const one = once(y2, 'message')
      x2.send('hi')
      await one
      assert.deepEqual(await sent(), [['open', 1, 2]])
    })
  })

  describe('closed connections', () => {
    afterEach(closeAll)

    it('getStats() after close() resolves with the peer-connection stats; senders and receivers report nothing', async () => {
      const a = makePc(); const b = makePc()
      const errors = []
      trickle(a, b, errors); trickle(b, a, errors)
      const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
      const sender = a.addTrack(track)
      const dc = a.createDataChannel('x')
      await negotiate(a, b)
      await once(dc, 'open')
      const pending = a.getStats()
      a.close()
      assert.ok((await pending) instanceof RTCStatsReport)
      const report = await a.getStats()
      const all = [...report.values()]
      assert.deepEqual(all.map(s => s.type), ['peer-connection'])
      assert.equal(all[0].dataChannelsOpened, 1)
      assert.equal(all[0].dataChannelsClosed, 1)
      assert.equal((await sender.getStats()).size, 0)
      assert.equal((await a.getTransceivers()[0].receiver.getStats()).size, 0)
      // The track is no longer sent: webrtc-pc finds no sender for it.
      await rejectsWith(a.getStats(track), 'InvalidAccessError')
      track.stop()
    })

    it('getStats() then close() at once, connected with media: every report settles, the connections go', async function () {
      // libwebrtc's close waits for a collection in progress, whose second half is queued on the
      // same thread: it once deadlocked the shard (the second or third round here).
      const [track] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
      for (let round = 0; round < 10; round++) {
        const a = makePc(); const b = makePc()
        const errors = []
        trickle(a, b, errors); trickle(b, a, errors)
        a.addTrack(track)
        const dc = a.createDataChannel('x')
        await negotiate(a, b)
        await once(dc, 'open')
        const pending = [a.getStats(), b.getStats(), a.getSenders()[0].getStats()]
        a.close(); b.close()
        for (const p of pending) assert.ok((await p) instanceof RTCStatsReport)
      }
      track.stop()
      const { nonstandard } = require('..')
      for (let i = 0; i < 100 && nonstandard.liveObjects().libwebrtcPeerConnections > 0; i++) await delay(50)
      assert.equal(nonstandard.liveObjects().libwebrtcPeerConnections, 0)
    })

    it('a connection that never connected closes with zero channels opened', async () => {
      const pc = new RTCPeerConnection()
      pc.createDataChannel('never')
      pc.close()
      const [s] = [...(await pc.getStats()).values()]
      assert.equal(s.dataChannelsOpened, 0)
      assert.equal(s.dataChannelsClosed, 0)
    })
  })
})
