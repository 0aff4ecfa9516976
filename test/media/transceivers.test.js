'use strict'
// RTCRtpTransceiver, RTCRtpSender, RTCRtpReceiver and the media members of RTCPeerConnection,
// between two of our peers in one process.
const assert = require('node:assert/strict')
const {
  RTCPeerConnection, RTCRtpSender, RTCRtpReceiver, RTCRtpTransceiver, RTCTrackEvent, MediaStream,
  MediaStreamTrack, mediaDevices
} = require('../..')
const { makePc, closeAll, once, until, delay, trickledPeers, negotiate, throwsWith, rejectsWith, record } = require('../helpers/pair')

async function camera (constraints = { video: { width: 320, height: 240, frameRate: 15 } }) {
  return mediaDevices.getUserMedia(constraints)
}

describe('media: transceivers', function () {
  this.timeout(20000)
  afterEach(closeAll)

  describe('addTransceiver', () => {
    it('makes a transceiver of the kind with the spec defaults', () => {
      const pc = makePc()
      const t = pc.addTransceiver('audio')
      assert.ok(t instanceof RTCRtpTransceiver)
      assert.ok(t.sender instanceof RTCRtpSender)
      assert.ok(t.receiver instanceof RTCRtpReceiver)
      assert.equal(t.mid, null)
      assert.equal(t.direction, 'sendrecv')
      assert.equal(t.currentDirection, null)
      assert.equal(t.sender.track, null)
      assert.equal(t.sender.transport, null)
      assert.ok(t.receiver.track instanceof MediaStreamTrack)
      assert.equal(t.receiver.track.kind, 'audio')
      assert.equal(t.receiver.track.readyState, 'live')
      assert.equal(t.receiver.track.muted, true)
      assert.deepEqual(pc.getTransceivers(), [t])
      assert.deepEqual(pc.getSenders(), [t.sender])
      assert.deepEqual(pc.getReceivers(), [t.receiver])
      assert.equal(pc.getTransceivers()[0], t, 'the same object each time')
    })

    it('takes direction and streams; rejects bad kinds, directions and encodings', () => {
      const pc = makePc()
      const t = pc.addTransceiver('video', { direction: 'recvonly' })
      assert.equal(t.direction, 'recvonly')
      throwsWith(() => pc.addTransceiver('data'), 'TypeError')
      throwsWith(() => pc.addTransceiver('audio', { direction: 'sideways' }), 'TypeError')
      throwsWith(() => pc.addTransceiver('audio', { direction: 'stopped' }), 'TypeError')
      throwsWith(() => pc.addTransceiver('video', { streams: [{}] }), 'TypeError')
      throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a' }, {}] }), 'TypeError')
      throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a' }, { rid: 'a' }] }), 'TypeError')
      throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a-b' }] }), 'TypeError')
      throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ scaleResolutionDownBy: 0.5 }] }), 'RangeError')
      throwsWith(() => pc.addTransceiver('video', { sendEncodings: [{ maxFramerate: -1 }] }), 'RangeError')
      assert.equal(pc.getTransceivers().length, 1, 'failed calls add nothing')
      pc.close()
      throwsWith(() => pc.addTransceiver('audio'), 'InvalidStateError')
    })

    it('fires negotiationneeded and puts an m= section per transceiver in the offer', async () => {
      const pc = makePc()
      pc.addTransceiver('audio')
      pc.addTransceiver('video', { direction: 'sendonly' })
      await once(pc, 'negotiationneeded')
      const offer = await pc.createOffer()
      const sections = offer.sdp.split(/^m=/m).slice(1)
      assert.equal(sections.length, 2)
      assert.match(sections[0], /^audio /)
      assert.match(sections[0], /a=sendrecv/)
      assert.match(sections[1], /^video /)
      assert.match(sections[1], /a=sendonly/)
    })

    it('simulcast: sendEncodings with rids give a=rid and a=simulcast lines', async () => {
      const pc = makePc()
      const t = pc.addTransceiver('video', { sendEncodings: [{ rid: 'lo', scaleResolutionDownBy: 4 }, { rid: 'mid', scaleResolutionDownBy: 2 }, { rid: 'hi' }] })
      const offer = await pc.createOffer()
      assert.match(offer.sdp, /a=rid:lo send/)
      assert.match(offer.sdp, /a=rid:hi send/)
      assert.match(offer.sdp, /a=simulcast:send lo;mid;hi/)
      const params = t.sender.getParameters()
      assert.deepEqual(params.encodings.map(e => e.rid), ['lo', 'mid', 'hi'])
      assert.equal(params.encodings[0].scaleResolutionDownBy, 4)
    })

    // webrtc-pc lets the encodings come in any order; Chromium's usual one is largest first.
    for (const order of [['h', 'm', 'l'], ['l', 'm', 'h']]) {
      it(`simulcast: the layers are encoded and sent, each at its size, encodings listed ${order.join(', ')}`, async () => {
        const scale = { h: 1, m: 2, l: 4 }
        const { a, b } = trickledPeers()
        const stream = await camera({ video: { width: 1280, height: 720, frameRate: 30 } })
        a.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', sendEncodings: order.map(rid => ({ rid, scaleResolutionDownBy: scale[rid] })) })
        await a.setLocalDescription()
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription()
        // Our answerer declines simulcast (M108, docs/nonstandard.md); a receiver that accepts it
        // answers with these lines, and then the publisher sends every layer.
        const accepted = b.localDescription.sdp.replace(/(m=video[^]*?)(\r\na=rtpmap)/, (all, head, tail) =>
          head + order.map(rid => `\r\na=rid:${rid} recv`).join('') + `\r\na=simulcast:recv ${order.join(';')}` + tail)
        await a.setRemoteDescription({ type: 'answer', sdp: accepted })
        const widths = {}
        for (let i = 0; i < 40 && Object.keys(widths).length < 3; i++) {
          await delay(200)
          for (const s of (await a.getStats()).values()) {
            if (s.type === 'outbound-rtp' && s.kind === 'video' && s.framesEncoded > 0) widths[s.rid] = s.frameWidth
          }
        }
        // All three when the bandwidth estimate allows (it may start low on a loaded machine; M108
        // then leaves out the layer listed last).
        assert.ok(Object.keys(widths).length >= 2, JSON.stringify(widths))
        for (const [rid, width] of Object.entries(widths)) assert.equal(width, 1280 / scale[rid], rid)
      })
    }
  })

  describe('negotiation', () => {
    it('sets mid, currentDirection and transport; the answerer gets track events with the stream', async () => {
      const { a, b } = trickledPeers()
      const stream = await camera({ audio: true, video: { width: 320, height: 240 } })
      for (const track of stream.getTracks()) a.addTrack(track, stream)
      const events = []
      b.ontrack = e => { events.push(e) }
      await negotiate(a, b)
      assert.equal(events.length, 2)
      for (const e of events) {
        assert.ok(e instanceof RTCTrackEvent)
        assert.equal(e.track, e.receiver.track)
        assert.equal(e.transceiver.receiver, e.receiver)
        assert.equal(e.streams.length, 1)
        assert.equal(e.streams[0].id, stream.id, 'the remote stream has the sender stream id')
        assert.ok(e.streams[0].getTracks().includes(e.track))
      }
      assert.equal(events[0].streams[0], events[1].streams[0], 'one MediaStream object per msid')
      assert.deepEqual(events.map(e => e.track.kind).sort(), ['audio', 'video'])
      const [ta] = a.getTransceivers()
      const [tb] = b.getTransceivers()
      assert.equal(ta.mid, tb.mid)
      assert.notEqual(ta.mid, null)
      assert.equal(ta.currentDirection, 'sendonly', 'b has nothing to send')
      assert.equal(tb.currentDirection, 'recvonly')
      assert.equal(tb.direction, 'recvonly')
      assert.ok(ta.sender.transport !== null)
      assert.equal(ta.sender.transport, ta.receiver.transport)
      assert.equal(ta.sender.transport, a.getTransceivers()[1].sender.transport, 'one transport under BUNDLE')
    })

    it('a remote track is muted until media arrives, then unmutes', async () => {
      const { a, b } = trickledPeers()
      const stream = await camera()
      a.addTrack(stream.getVideoTracks()[0], stream)
      const track = once(b, 'track').then(e => e.track)
      await negotiate(a, b)
      const remote = await track
      assert.equal(remote.muted, true)
      await until(remote, 'unmute', () => !remote.muted)
      assert.equal(remote.muted, false)
    })

    for (const kind of ['audio', 'video']) it(`a remote ${kind} track muted by a direction change unmutes when media flows again`, async () => {
      const { a, b } = trickledPeers()
      const stream = await camera({ [kind]: true })
      const ta = a.addTransceiver(stream.getTracks()[0], { direction: 'sendonly' })
      const track = once(b, 'track').then(e => e.track)
      await negotiate(a, b)
      const remote = await track
      await until(remote, 'unmute', () => !remote.muted)
      ta.direction = 'inactive'
      await negotiate(a, b)
      assert.equal(remote.muted, true)
      assert.equal(remote.readyState, 'live')
      ta.direction = 'sendonly'
      const again = once(b, 'track')
      await negotiate(a, b)
      assert.equal((await again).track, remote, 'the same track is announced again')
      await until(remote, 'unmute', () => !remote.muted)
      assert.equal(remote.muted, false)
    })

    it('a media-only connection has a DTLS transport that connects and closes', async () => {
      const { a, b } = trickledPeers()
      const t = a.addTransceiver('audio')
      await negotiate(a, b)
      const dtls = t.sender.transport
      await until(dtls, 'statechange', () => dtls.state === 'connected')
      assert.equal(a.sctp, null)
      assert.equal(dtls.iceTransport.state === 'connected' || dtls.iceTransport.state === 'completed', true)
      assert.ok(dtls.getRemoteCertificates().length > 0)
      a.close()
      assert.equal(dtls.state, 'closed')
    })

    it('the data channel transport and the media transport are the same object', async () => {
      const { a, b } = trickledPeers()
      a.addTransceiver('audio')
      a.createDataChannel('x')
      await negotiate(a, b)
      assert.equal(a.getTransceivers()[0].sender.transport, a.sctp.transport)
    })

    it('direction changes renegotiate and give the matching currentDirection on both sides', async () => {
      const { a, b } = trickledPeers()
      const ta = a.addTransceiver('audio')
      await negotiate(a, b)
      const tb = b.getTransceivers()[0]
      assert.equal(ta.currentDirection, 'sendonly', 'b answered without a track: recvonly')
      assert.equal(tb.currentDirection, 'recvonly')
      tb.direction = 'sendrecv'
      await negotiate(b, a)
      assert.equal(tb.currentDirection, 'sendrecv')
      assert.equal(ta.currentDirection, 'sendrecv')
      const needed = once(a, 'negotiationneeded')
      ta.direction = 'inactive'
      assert.equal(ta.direction, 'inactive')
      await needed
      await negotiate(a, b)
      assert.equal(ta.currentDirection, 'inactive')
      assert.equal(tb.currentDirection, 'inactive')
      assert.equal(tb.receiver.track.muted, true)
      throwsWith(() => { ta.direction = 'up' }, 'TypeError')
    })

    it('offerToReceiveAudio/Video add recvonly transceivers', async () => {
      const pc = makePc()
      const offer = await pc.createOffer({ offerToReceiveAudio: true, offerToReceiveVideo: true })
      assert.match(offer.sdp, /m=audio[^]*a=recvonly[^]*m=video[^]*a=recvonly/)
      assert.deepEqual(pc.getTransceivers().map(t => [t.receiver.track.kind, t.direction]), [['audio', 'recvonly'], ['video', 'recvonly']])
    })

    it('rollback of a remote offer removes the transceivers it made and ends their tracks', async () => {
      const a = makePc()
      const b = makePc()
      a.addTransceiver('video')
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      const [t] = b.getTransceivers()
      assert.ok(t)
      const ended = once(t.receiver.track, 'ended')
      await b.setLocalDescription({ type: 'rollback' })
      assert.deepEqual(b.getTransceivers(), [])
      await ended
      assert.equal(t.receiver.track.readyState, 'ended')
    })
  })

  describe('addTrack / removeTrack', () => {
    it('InvalidAccessError for a track already added; TypeError for non-tracks', async () => {
      const pc = makePc()
      const [track] = (await camera()).getVideoTracks()
      const sender = pc.addTrack(track)
      assert.equal(sender.track, track)
      throwsWith(() => pc.addTrack(track), 'InvalidAccessError')
      throwsWith(() => pc.addTrack({}), 'TypeError')
      throwsWith(() => pc.addTrack(track, {}), 'TypeError')
    })

    it('reuses a transceiver made by a remote offer that has no sender track', async () => {
      const a = makePc()
      const b = makePc()
      a.addTransceiver('audio')
      await negotiate(a, b)
      const [tb] = b.getTransceivers()
      const [track] = (await camera({ audio: true })).getAudioTracks()
      const sender = b.addTrack(track)
      assert.equal(sender, tb.sender, 'the existing transceiver is reused')
      assert.equal(b.getTransceivers().length, 1)
      assert.equal(tb.direction, 'sendrecv')
    })

    it('removeTrack clears the sender track, changes direction and the remote side sees the removal', async () => {
      const { a, b } = trickledPeers()
      const stream = await camera()
      const sender = a.addTrack(stream.getVideoTracks()[0], stream)
      const remoteStream = once(b, 'track').then(e => e.streams[0])
      await negotiate(a, b)
      const rs = await remoteStream
      a.removeTrack(sender)
      assert.equal(sender.track, null)
      assert.equal(a.getTransceivers()[0].direction, 'recvonly')
      const removed = once(rs, 'removetrack')
      await negotiate(a, b)
      const e = await removed
      assert.equal(e.track.muted, true)
      assert.equal(rs.getTracks().length, 0)
      throwsWith(() => a.removeTrack(makePc().addTransceiver('audio').sender), 'InvalidAccessError')
      throwsWith(() => a.removeTrack({}), 'TypeError')
    })
  })

  describe('RTCRtpSender', () => {
    it('replaceTrack swaps without renegotiation; kind mismatch is a TypeError', async () => {
      const pc = makePc()
      const stream = await camera({ audio: true, video: true })
      const sender = pc.addTrack(stream.getVideoTracks()[0], stream)
      await pc.setLocalDescription()
      const fired = record(pc, 'negotiationneeded')
      const other = stream.getVideoTracks()[0].clone()
      await sender.replaceTrack(other)
      assert.equal(sender.track, other)
      await sender.replaceTrack(null)
      assert.equal(sender.track, null)
      await rejectsWith(sender.replaceTrack(stream.getAudioTracks()[0]), 'TypeError')
      await delay(50)
      assert.deepEqual(fired, [])
    })

    it('getParameters/setParameters follow the transactionId rules and apply encodings', async () => {
      const pc = makePc()
      const t = pc.addTransceiver('video')
      await pc.setLocalDescription()
      const p = t.sender.getParameters()
      assert.equal(typeof p.transactionId, 'string')
      assert.equal(p.encodings.length, 1)
      assert.ok(p.codecs.length > 0 || p.codecs.length === 0)
      p.encodings[0].maxBitrate = 300000
      p.encodings[0].active = false
      await t.sender.setParameters(p)
      const q = t.sender.getParameters()
      assert.notEqual(q.transactionId, p.transactionId)
      assert.equal(q.encodings[0].maxBitrate, 300000)
      assert.equal(q.encodings[0].active, false)
      await rejectsWith(t.sender.setParameters(p), 'InvalidModificationError') // stale transactionId
      const r = t.sender.getParameters()
      r.encodings = []
      await rejectsWith(t.sender.setParameters(r), 'InvalidModificationError')
      const s = t.sender.getParameters()
      s.encodings[0].scaleResolutionDownBy = 0.5
      await rejectsWith(t.sender.setParameters(s), 'RangeError')
      const late = t.sender.getParameters()
      await delay(5)
      await rejectsWith(t.sender.setParameters(late), 'InvalidStateError')
    })

    it('getCapabilities lists the codecs: Opus, G.722, PCMU/PCMA, telephone-event; VP8, VP9, H.264', () => {
      const audio = RTCRtpSender.getCapabilities('audio').codecs.map(c => c.mimeType)
      for (const m of ['audio/opus', 'audio/G722', 'audio/PCMU', 'audio/PCMA', 'audio/telephone-event']) assert.ok(audio.includes(m), `${m} in ${audio}`)
      const video = RTCRtpReceiver.getCapabilities('video').codecs.map(c => c.mimeType)
      for (const m of ['video/VP8', 'video/VP9', 'video/H264']) assert.ok(video.includes(m), `${m} in ${video}`)
      assert.equal(RTCRtpSender.getCapabilities('data'), null)
      const opus = RTCRtpSender.getCapabilities('audio').codecs.find(c => c.mimeType === 'audio/opus')
      assert.equal(opus.clockRate, 48000)
      assert.equal(opus.channels, 2)
    })
  })

  describe('RTCRtpTransceiver', () => {
    it('setCodecPreferences with every audio capability (RED after Opus): both implicit descriptions apply, each payload type once, audio flows', async () => {
      const { a, b } = trickledPeers()
      const codecs = RTCRtpReceiver.getCapabilities('audio').codecs
      assert.ok(codecs.findIndex(c => c.mimeType === 'audio/red') > codecs.findIndex(c => c.mimeType === 'audio/opus'))
      const stream = await mediaDevices.getUserMedia({ audio: true })
      a.addTransceiver(stream.getAudioTracks()[0], { streams: [stream] }).setCodecPreferences(codecs)
      const unmuted = new Promise(resolve => { b.ontrack = e => { e.track.onunmute = resolve } })
      const offer = await a.createOffer()
      await a.setLocalDescription()
      await b.setRemoteDescription(a.localDescription)
      b.getTransceivers()[0].setCodecPreferences(codecs)
      await b.setLocalDescription()
      await a.setRemoteDescription(b.localDescription)
      for (const sdp of [offer.sdp, a.localDescription.sdp, b.localDescription.sdp]) {
        const pts = sdp.match(/^m=audio \S+ \S+ (.*)$/m)[1].split(' ')
        assert.deepEqual(pts, [...new Set(pts)], sdp)
        assert.match(sdp, /^a=rtpmap:\d+ red\/48000\/2$/m)
        assert.equal(sdp.match(/^a=rtpmap:\d+ red\//gm).length, 1)
      }
      await unmuted
    })

    it('setCodecPreferences orders the offer; unknown codecs are InvalidModificationError', async () => {
      const pc = makePc()
      const t = pc.addTransceiver('video')
      const codecs = RTCRtpReceiver.getCapabilities('video').codecs
      const vp9 = codecs.filter(c => c.mimeType === 'video/VP9')
      t.setCodecPreferences(vp9)
      const offer = await pc.createOffer()
      const mline = /^m=video \d+ [A-Z/]+ ([\d ]+)$/m.exec(offer.sdp)[1].split(' ')
      const rtpmap = new Map([...offer.sdp.matchAll(/a=rtpmap:(\d+) ([^/\r\n]+)/g)].map(m => [m[1], m[2]]))
      const media = mline.map(pt => rtpmap.get(pt)).filter(n => n !== 'rtx' && n !== 'red' && n !== 'ulpfec')
      assert.ok(media.length > 0)
      assert.deepEqual(media, media.map(() => 'VP9'), `only VP9 offered: ${media}`)
      throwsWith(() => t.setCodecPreferences([{ mimeType: 'video/nope', clockRate: 90000 }]), 'InvalidModificationError')
      throwsWith(() => t.setCodecPreferences(codecs.filter(c => c.mimeType === 'video/rtx')), 'InvalidModificationError')
      t.setCodecPreferences([])
    })

    it("an answerer's setCodecPreferences chooses what it sends (the answer's first codec), explicit and implicit answers", async () => {
      const sent = async pc => {
        const stats = await pc.getStats()
        const out = [...stats.values()].find(r => r.type === 'outbound-rtp' && r.kind === 'audio' && r.codecId)
        return out ? stats.get(out.codecId).mimeType : null
      }
      for (const implicit of [false, true]) {
        const { a, b } = trickledPeers()
        const [ta] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
        const [tb] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
        a.addTransceiver(ta, { direction: 'sendrecv' }) // offers Opus first
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        const t = b.getTransceivers()[0]
        t.direction = 'sendrecv'
        await t.sender.replaceTrack(tb)
        t.setCodecPreferences(RTCRtpReceiver.getCapabilities('audio').codecs.filter(c => c.mimeType === 'audio/PCMU'))
        if (implicit) await b.setLocalDescription()
        else await b.setLocalDescription(await b.createAnswer())
        assert.match(b.localDescription.sdp, /^m=audio \d+ [A-Z/]+ 0\r$/m, 'the answer lists PCMU alone')
        // The offer shown is the one set, in its own codec order.
        const payloads = sdp => sdp.match(/^m=audio \d+ [A-Z/]+ ([\d ]+)\r$/m)[1]
        assert.equal(payloads(b.remoteDescription.sdp), payloads(a.localDescription.sdp))
        await a.setRemoteDescription(b.localDescription)
        const deadline = Date.now() + 8000
        let codecs = [null, null]
        while (Date.now() < deadline && !(codecs[0] && codecs[1])) {
          await delay(100)
          codecs = [await sent(a), await sent(b)]
        }
        assert.deepEqual(codecs, ['audio/PCMU', 'audio/PCMU'], `${implicit ? 'implicit' : 'explicit'} answer: offerer, answerer send`)
      }
    })

    it('stop() ends the receiver track, stops the transceiver and it leaves after negotiation', async () => {
      const { a, b } = trickledPeers()
      const t = a.addTransceiver('audio')
      await negotiate(a, b)
      const ended = once(t.receiver.track, 'ended')
      t.stop()
      await ended
      assert.equal(t.direction, 'stopped')
      assert.deepEqual(a.getSenders(), [t.sender], 'stopping, not yet stopped: still listed')
      throwsWith(() => { t.direction = 'sendrecv' }, 'InvalidStateError')
      await rejectsWith(t.sender.replaceTrack(null), 'InvalidStateError')
      const tb = b.getTransceivers()[0]
      await negotiate(a, b)
      assert.equal(t.currentDirection, 'stopped')
      assert.deepEqual(a.getSenders(), [])
      assert.equal(tb.currentDirection, 'stopped')
      assert.equal(tb.receiver.track.readyState, 'ended')
    })
  })

  describe('RTCTrackEvent', () => {
    it('constructs with the spec members and checks their types', () => {
      const pc = makePc()
      const t = pc.addTransceiver('audio')
      const s = new MediaStream()
      const e = new RTCTrackEvent('track', { receiver: t.receiver, track: t.receiver.track, streams: [s], transceiver: t })
      assert.equal(e.type, 'track')
      assert.equal(e.streams[0], s)
      assert.ok(Object.isFrozen(e.streams))
      assert.throws(() => new RTCTrackEvent('track', {}), TypeError)
      assert.throws(() => new RTCTrackEvent('track'), TypeError)
    })
  })

  describe('close()', () => {
    it('ends remote tracks without an ended event and stops every transceiver', async () => {
      const { a, b } = trickledPeers()
      const stream = await camera({ audio: true, video: true })
      for (const track of stream.getTracks()) a.addTrack(track, stream)
      const tracks = []
      b.ontrack = e => tracks.push(e.track)
      await negotiate(a, b)
      const fired = []
      for (const t of tracks) t.onended = () => fired.push(t.kind)
      b.close()
      for (const t of tracks) assert.equal(t.readyState, 'ended')
      assert.deepEqual(b.getSenders(), [])
      for (const t of b.getTransceivers()) assert.equal(t.currentDirection, 'stopped')
      await delay(20)
      assert.deepEqual(fired, [])
      assert.ok(RTCPeerConnection)
    })
  })
})
