'use strict'
// Hostile media input never crashes the process. Debian's libwebrtc keeps its DCHECKs live, so a
// check a remote peer (or a program feeding our APIs) can reach aborts everything. Each fuzz runs
// in a child process (an abort fails the test, not the suite) with a fixed seed:
//   encoded payloads rewritten by the sender's encoded transform (every codec), and by a
//   receiver's (before its decoder),
//   odd frames, samples and timestamps from RTCVideoSource / RTCAudioSource / the generators,
//   SDP mutations aimed at the media engine, followed by media,
//   setParameters extremes while media flows,
// plus the inputs these fuzzes found, replayed (fixtures/media-regressions.js).
// NLW_FUZZ_SEED=<n> changes the seed; NLW_MEDIA_FUZZ_LONG=1 runs each fuzz longer, over 4 seeds.
const assert = require('node:assert/strict')
const { runFixture, assertNoCrash, lastJson } = require('../reliability/helpers')

const SEED = Number(process.env.NLW_FUZZ_SEED ?? 0x5eed2026)
const LONG = process.env.NLW_MEDIA_FUZZ_LONG === '1'
const SEEDS = LONG ? [SEED, SEED + 1, SEED + 2, SEED + 3] : [SEED]
const run = (name, args, timeout = 60000) => runFixture(`../../hostile/fixtures/${name}`, { args, timeout: LONG ? timeout * 4 : timeout })

describe('hostile media input', function () {
  this.timeout(LONG ? 600000 : 90000)

  it('the inputs the fuzz found (remote a=maxptime:0, audio maxBitrate 0 and 2^31, timestamps past 2^53 µs, a frame stamped far ahead, empty H.264 NAL units, remote x-google bitrates out of range)', async () => {
    const r = await run('media-regressions.js', [])
    assertNoCrash(r)
    assert.equal(r.status, 0, r.out)
    const o = lastJson(r)
    assert.deepEqual(o.maxptime, { 'a=maxptime:0': 'OperationError', 'a=maxptime:-5': 'OperationError', 'a=maxptime:10': 'OperationError', 'a=maxptime:120': 'ok' })
    assert.equal(o.maxptimeAfter, 'ok', 'a refused offer leaves the peer usable')
    assert.deepEqual(o.audioMaxBitrate, { 0: 'RangeError', 32000: 'ok', 2147483648: 'ok', '1e+300': 'ok', 4294967295: 'ok' })
    assert.equal(o.addTransceiverAudioMaxBitrate0, 'RangeError')
    assert.ok(o.audioPacketsAfter > 0, 'audio still sent')
    for (const what of [o.audioTimestamp, o.videoTimestamp]) {
      assert.deepEqual(what, { 9200000000000000000: 'TypeError', 9007199254740992: 'TypeError', 9007199254740991: 'ok', 1000000000000000: 'ok' })
    }
    assert.ok(o.framesEncodedAfterFarTimestamp > 10, `frames encoded after a far-future frame: ${o.framesEncodedAfterFarTimestamp}`)
    assert.ok(o.h264EmptyNalus.written > 10 && o.h264EmptyNalus.received > 10, JSON.stringify(o.h264EmptyNalus))
    // refused, and the real answer then sends; the largest value that fits is taken
    assert.equal(o.xGoogle['x-google-max-bitrate=0'], 'InvalidAccessError/sending')
    assert.equal(o.xGoogle['x-google-max-bitrate=2147484'], 'InvalidAccessError/sending')
    assert.equal(o.xGoogle['x-google-min-bitrate=2147483647'], 'InvalidAccessError/sending')
    assert.match(o.xGoogle['x-google-max-bitrate=2147483'], /^ok\//)
  })

  for (const mime of ['video/H264', 'video/VP8', 'video/VP9', 'audio/opus', 'audio/G722', 'audio/PCMU']) {
    it(`encoded ${mime} frames rewritten with garbage by the sender: both ends survive, media flows again`, async () => {
      for (const seed of SEEDS) {
        const r = await run('encoded-fuzz.js', [mime, seed, LONG ? 20000 : 1500])
        assertNoCrash(r)
        assert.equal(r.status, 0, r.out)
        const o = lastJson(r)
        assert.equal(o.codec, mime, r.out)
        assert.ok(o.before > 0, r.out)
        assert.ok(Object.values(o.applied).reduce((n, k) => n + k, 0) > 0, r.out)
        assert.ok(o.after > 0, `nothing received after the garbage stopped: ${r.out}`)
        assert.equal(o.sender, 'connected', r.out)
        assert.equal(o.receiver, 'connected', r.out)
      }
    })
  }

  for (const mime of ['video/H264', 'video/VP8', 'audio/opus']) {
    it(`encoded ${mime} frames rewritten with garbage by the receiver's transform, before its decoder: it survives`, async () => {
      for (const seed of SEEDS) {
        const r = await run('encoded-fuzz.js', [mime, seed, LONG ? 20000 : 1500, 'receiver'])
        assertNoCrash(r)
        assert.equal(r.status, 0, r.out)
        const o = lastJson(r)
        assert.equal(o.codec, mime, r.out)
        assert.ok(o.before > 0, r.out)
        // (Pictures come back once a key frame arrives; when is the sender's and the load's matter.)
        assert.equal(o.receiver, 'connected', r.out)
      }
    })
  }

  for (const mode of ['video-source', 'video-generator', 'audio-source', 'audio-generator']) {
    it(`${mode}: odd sizes, rates and timestamps are accepted or refused with TypeError/RangeError/DOMException; the sender goes on`, async () => {
      for (const seed of SEEDS) {
        const r = await run('source-fuzz.js', [mode, seed, LONG ? 1500 : (mode.startsWith('video') ? 60 : 150)])
        assertNoCrash(r)
        assert.equal(r.status, 0, r.out)
        const o = lastJson(r)
        assert.ok(o.before > 0, r.out)
        assert.ok(Object.values(o.errors).reduce((n, k) => n + k, 0) > 0, r.out)
        // The sender sends again; what the receiver shows after RTP timestamps leapt past half
        // their range is libwebrtc's receiver's choice (it may wait for newer ones), except audio.
        assert.ok(o.sentAfter > 10, `sent after the odd input: ${o.sentAfter}\n${r.out}`)
        if (mode.startsWith('audio')) assert.ok(o.after > 0, r.out)
        assert.equal(o.sender, 'connected', r.out)
        assert.equal(o.receiver, 'connected', r.out)
      }
    })
  }

  it('SDP mutations aimed at the media engine (bitrates, ptime, fmtp, rtcp-fb, extmap, ssrc groups, rids): settle, media flows', async () => {
    for (const seed of SEEDS) {
      const r = await run('sdp-media-fuzz.js', [seed, LONG ? 60 : 5, 1000])
      assertNoCrash(r)
      assert.equal(r.status, 0, r.out)
      const o = lastJson(r)
      assert.ok(o.frames > 0 && o.chunks > 0, r.out)
      assert.ok(o.states.every(s => s === 'connected/connected'), r.out)
    }
  })

  it('setParameters extremes while media flows: settle with the spec\'s errors; defaults bring media back', async () => {
    for (const seed of SEEDS) {
      const r = await run('params-fuzz.js', [seed, LONG ? 1000 : 60])
      assertNoCrash(r)
      assert.equal(r.status, 0, r.out)
      const o = lastJson(r)
      assert.ok(o.outcomes.ok > 0, r.out)
      assert.ok(o.after.video > 0 && o.after.audio > 0, r.out)
      assert.equal(o.receiver, 'connected', r.out)
    }
  })
})
