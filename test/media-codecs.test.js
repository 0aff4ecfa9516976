'use strict'
// The video codecs the binary offers and negotiates: VP8, VP9 and H.264 (OpenH264), in Chromium's
// order. Until tracks exist, a recvonly video section (offerToReceiveVideo) shows the codec list,
// and the binding's codecRoundTrip() proves that each encoder's output decodes.
const assert = require('node:assert/strict')
const { binding } = require('../dist/native')
const { makePc, closeAll, trickledPeers, until } = require('./helpers/pair')

/** The m=video section of an SDP: payload types in m= line order, with their rtpmap and fmtp. */
function videoCodecs (sdp) {
  const section = sdp.split(/\r\n(?=m=)/).find(s => s.startsWith('m=video'))
  assert.ok(section, 'no m=video section')
  const lines = section.split('\r\n')
  const pts = lines[0].split(' ').slice(3)
  return pts.map(pt => {
    const rtpmap = lines.find(l => l.startsWith(`a=rtpmap:${pt} `))
    const fmtp = lines.find(l => l.startsWith(`a=fmtp:${pt} `))
    const params = Object.fromEntries((fmtp ? fmtp.split(' ').slice(1).join(' ') : '')
      .split(';').filter(Boolean).map(p => p.split('=')))
    return { pt, name: rtpmap.split(' ')[1].split('/')[0], params }
  })
}

/** The offer's m=video restricted to H.264 Constrained Baseline, packetization-mode=1 (and its rtx). */
function onlyH264ConstrainedBaseline (sdp) {
  const codecs = videoCodecs(sdp)
  const h264 = codecs.find(c => c.name === 'H264' && c.params['profile-level-id'] === '42e01f' &&
    c.params['packetization-mode'] === '1')
  const keep = new Set([h264.pt, ...codecs.filter(c => c.name === 'rtx' && c.params.apt === h264.pt).map(c => c.pt)])
  const drop = codecs.filter(c => !keep.has(c.pt)).map(c => c.pt)
  return sdp.split('\r\n').map(l => l.startsWith('m=video')
    ? l.split(' ').filter((w, i) => i < 3 || keep.has(w)).join(' ')
    : l).filter(l => !drop.some(pt => new RegExp(`^a=(rtpmap|fmtp|rtcp-fb):${pt} `).test(l))).join('\r\n')
}

describe('video codecs', function () {
  afterEach(closeAll)

  it('an offer lists VP8, VP9, then H.264 Constrained Baseline with packetization-mode 1 and 0', async () => {
    const offer = await makePc().createOffer({ offerToReceiveVideo: true })
    const codecs = videoCodecs(offer.sdp)
    const media = codecs.filter(c => !['rtx', 'red', 'ulpfec', 'flexfec-03'].includes(c.name))
    const firstOf = name => media.findIndex(c => c.name === name)
    assert.equal(firstOf('VP8'), 0, offer.sdp)
    assert.ok(firstOf('VP9') > firstOf('VP8') && firstOf('H264') > firstOf('VP9'), offer.sdp)
    const h264 = media.filter(c => c.name === 'H264').map(c => c.params)
    for (const mode of ['1', '0']) {
      assert.ok(h264.some(p => p['profile-level-id'] === '42e01f' && p['packetization-mode'] === mode &&
        p['level-asymmetry-allowed'] === '1'), `42e01f packetization-mode=${mode} missing:\n${offer.sdp}`)
    }
    // Every H.264 entry is one our encoder (Constrained Baseline) and decoder serve.
    for (const p of h264) assert.match(p['profile-level-id'], /^42[0e]01f$/)
    // Each has its rtx.
    for (const c of codecs.filter(c => c.name === 'H264')) {
      assert.ok(codecs.some(r => r.name === 'rtx' && r.params.apt === c.pt), `no rtx for ${c.pt}`)
    }
  })

  it('two peers negotiate video, and connect', async () => {
    const { a, b, errors } = trickledPeers()
    await a.setLocalDescription(await a.createOffer({ offerToReceiveVideo: true }))
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription()
    await a.setRemoteDescription(b.localDescription)
    const answered = videoCodecs(b.localDescription.sdp)
    assert.deepEqual([...new Set(answered.map(c => c.name))].filter(n => n !== 'rtx').slice(0, 3), ['VP8', 'VP9', 'H264'])
    assert.match(b.localDescription.sdp, /^m=video [1-9]\d* /m, 'video section rejected (port 0)')
    await until(a, 'connectionstatechange', () => a.connectionState === 'connected')
    await until(b, 'connectionstatechange', () => b.connectionState === 'connected')
    assert.deepEqual(errors, [])
  })

  it('an offer with H.264 only (42e01f, packetization-mode=1) is answered with H.264', async () => {
    const { a, b, errors } = trickledPeers()
    const offer = await a.createOffer({ offerToReceiveVideo: true })
    await a.setLocalDescription(offer)
    // What a remote peer that sends only H.264 offers; set as b's remote description (no munging
    // of a local description involved).
    await b.setRemoteDescription({ type: 'offer', sdp: onlyH264ConstrainedBaseline(offer.sdp) })
    await b.setLocalDescription()
    const answered = videoCodecs(b.localDescription.sdp)
    const h264 = answered.filter(c => c.name === 'H264')
    assert.equal(h264.length, 1, b.localDescription.sdp)
    assert.equal(h264[0].params['profile-level-id'], '42e01f')
    assert.equal(h264[0].params['packetization-mode'], '1')
    assert.deepEqual(answered.filter(c => !['H264', 'rtx'].includes(c.name)), [])
    await a.setRemoteDescription(b.localDescription)
    await until(a, 'connectionstatechange', () => a.connectionState === 'connected')
    assert.deepEqual(errors, [])
  })

  describe('encoder output decodes (codecRoundTrip: 30 frames, 320x240)', function () {
    for (const [codec, implementation] of [['H264', 'OpenH264'], ['VP8', 'libvpx'], ['VP9', 'libvpx']]) {
      it(`${codec}: ${implementation} encodes, ${implementation} decodes every frame`, () => {
        const r = binding.codecRoundTrip(codec)
        assert.equal(r.error, undefined, JSON.stringify(r))
        assert.equal(r.encoder, implementation)
        assert.equal(r.decoder, implementation)
        assert.equal(r.framesEncoded, 30)
        assert.equal(r.keyFrames, 1)
        assert.equal(r.framesDecoded, 30)
        assert.deepEqual([r.width, r.height], [320, 240])
        // Same picture back, not garbage: a 1 Mbps encode of this pattern is well above 30 dB.
        assert.ok(r.minPsnr > 30, `luma PSNR ${r.minPsnr} dB`)
      })
      it(`${codec}: without the key frame, every delta frame is a decode error (libwebrtc then asks for a key frame)`, () => {
        const r = binding.codecRoundTrip(codec, true)
        assert.equal(r.error, undefined, JSON.stringify(r))
        assert.equal(r.framesEncoded, 30)
        assert.equal(r.framesDecoded, 0)
        assert.equal(r.decodeErrors, 29)
      })
    }
  })
})
