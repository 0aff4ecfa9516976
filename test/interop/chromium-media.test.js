'use strict'
// Media interop with headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
// Chromium's side is test/interop/chromium-media.html (any number of named peer connections in
// one page, its fake camera and microphone from --use-fake-device-for-media-stream: a 640x480
// moving pattern and a beeping tone); signaling goes through the server of chromium-helpers.js.
// What is checked is what Chromium itself reports (its getStats): frames it decoded, their size,
// the codec, the energy of the audio it played.
// Run inside a loopback-only namespace:
//   node scripts/netns.js npx mocha --no-config --exit --timeout 120000 test/interop/chromium-media.test.js
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { RTCPeerConnection, RTCRtpSender, MediaStream, mediaDevices, nonstandard, VideoFrame, VideoTrackGenerator, MediaStreamTrackProcessor } = require('../..')
const { xorStream } = require('../media/fixtures/xor-transform')
const { frames } = require('../helpers/content')
const { DtmfDetector, assertHeardInOrder } = require('../helpers/dtmf')
const { CHROMIUM, SignalingPeer, startSignaling, stopSignaling, withTimeout, waitFor, launchChromium } = require('./chromium-helpers')

const PAGE = path.join(__dirname, 'chromium-media.html')
const STEP_MS = 15000
// Frames decoded beyond the first ones before a video stream counts as flowing.
const MORE_FRAMES = 15
// Mean audio power (linear, full scale 1) above which received audio is not silence: about -30 dBFS.
const MIN_AUDIO_POWER = 0.001

// ------------------------------------------------------------------ the Node peer

/**
 * The Node side of one named peer of the page: keeps its track events, and offers again on
 * negotiationneeded once a first round is done (so tracks added later are negotiated).
 */
class NodePeer extends SignalingPeer {
  constructor (base, session, options) {
    super(base, session, options)
    this.trackEvents = []
    this.pc.ontrack = e => this.trackEvents.push(e)
    this.pc.onnegotiationneeded = () => {
      if (this.rounds > 0 && this.pc.signalingState === 'stable' && !this.stopped) this.offer().catch(err => this.errors.push(err))
    }
    this.start()
  }
}

/** Our codec capability of that mimeType (all its variants), for setCodecPreferences. */
function ourCodecs (mimeType) {
  const codecs = RTCRtpSender.getCapabilities('video').codecs.filter(c => c.mimeType.toLowerCase() === mimeType.toLowerCase())
  assert.ok(codecs.length > 0, `we cannot send ${mimeType}`)
  return codecs
}

// ------------------------------------------------------------------ tests

describe('interop: media with headless Chromium', function () {
  this.timeout(60000)

  let server = null
  let base = null
  let browser = null
  let page = null
  let sessions = 0
  let pageLog = []
  let nodes = []
  let localTracks = []

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      (skipped: ${CHROMIUM} does not exist; install Debian's chromium package to run the interop tests)`)
      this.skip()
    }
    server = await startSignaling({ '': PAGE })
    base = `http://127.0.0.1:${server.address().port}`
    const { chromium } = require('playwright-core')
    browser = await launchChromium(chromium, ['--autoplay-policy=no-user-gesture-required'])
  })

  after(async function () {
    if (browser) await browser.close()
    browser = null
    if (server) await stopSignaling(server)
    server = null
  })

  beforeEach(async function () {
    sessions++
    pageLog = []
    nodes = []
    localTracks = []
    page = await browser.context.newPage()
    page.on('console', m => pageLog.push(`[console.${m.type()}] ${m.text()}`))
    page.on('pageerror', err => pageLog.push(`[pageerror] ${err.message}`))
    await page.goto(`${base}/`)
  })

  afterEach(async function () {
    if (this.currentTest && this.currentTest.state === 'failed' && page) {
      const names = await page.evaluate(() => window.peerNames()).catch(() => [])
      for (const name of names) {
        const state = await page.evaluate(n => window.peerState(n), name).catch(() => null)
        const stats = await page.evaluate(n => window.stats(n), name).catch(() => null)
        console.log(`      Chromium peer ${name}:`, JSON.stringify({ ...state, local: undefined, remote: undefined, stats }, null, 2))
        if (state && state.remote) console.log(`      Chromium peer ${name} remote description:\n${state.remote}`)
      }
      if (pageLog.length) console.log('      page log:\n        ' + pageLog.join('\n        '))
      for (const n of nodes) console.log(`      node peer ${n.session} errors:`, n.errors.map(e => e && (e.stack || e.message || String(e))))
    }
    for (const n of nodes) await n.stop()
    for (const t of localTracks) t.stop()
    if (page) {
      await page.evaluate(() => window.closeAll()).catch(() => {})
      await page.close().catch(() => {})
    }
    page = null
  })

  /** A Node peer and the page peer `name` it talks to. */
  function pair (name, options) {
    const node = new NodePeer(base, `${sessions}-${name}`, options)
    nodes.push(node)
    return node
  }

  const openBrowserPeer = (name, options) =>
    page.evaluate(([n, s, o]) => window.openPeer(n, s, o), [name, `${sessions}-${name}`, options])
  const browserStats = name => page.evaluate(n => window.stats(n), name)

  /** Throws at once when either side recorded an error, so a failing test says why. */
  async function noErrors () {
    for (const n of nodes) if (n.errors.length) throw n.errors[0]
    const names = await page.evaluate(() => window.peerNames())
    for (const name of names) {
      const s = await page.evaluate(n => window.peerState(n), name)
      if (s.errors.length) throw new Error(`Chromium peer ${name}: ${s.errors[0]}`)
    }
  }

  /**
   * Chromium peer `name` decodes video: frames decoded grow by MORE_FRAMES past a first reading,
   * at `width` x `height`, or at the size Chromium peer `sameAs` sends now (its outbound-rtp: what
   * an echo or a relay of it must give back, whatever its encoder's adaptation did). Returns the
   * last inbound-rtp video record.
   */
  async function decodesVideo (name, { width, height, sameAs, mimeType } = {}) {
    let last = null
    let sent = null
    const describe = () => `Chromium ${name} decodes video${mimeType ? ` (${mimeType})` : ''}` +
      `${width ? ` at ${width}x${height}` : ''}${sent ? ` at the size ${sameAs} sends (${sent.frameWidth}x${sent.frameHeight})` : ''}` +
      `; last inbound-rtp video: ${JSON.stringify(last)}`
    const first = await waitFor(async () => {
      await noErrors()
      last = (await browserStats(name)).inVideo
      return last && last.framesDecoded > 0 ? last : null
    }, STEP_MS, describe, 200)
    const v = await waitFor(async () => {
      await noErrors()
      last = (await browserStats(name)).inVideo
      if (sameAs) sent = (await browserStats(sameAs)).outVideo
      const size = sameAs ? sent && [sent.frameWidth, sent.frameHeight] : width !== undefined && [width, height]
      return last.framesDecoded >= first.framesDecoded + MORE_FRAMES &&
        (!size || (last.frameWidth === size[0] && last.frameHeight === size[1]))
        ? last
        : null
    }, STEP_MS, describe, 200)
    if (mimeType) assert.equal(v.mimeType.toLowerCase(), mimeType.toLowerCase(), `Chromium ${name} decodes ${v.mimeType}, not ${mimeType}`)
    if (width !== undefined) assert.deepEqual([v.frameWidth, v.frameHeight], [width, height])
    assert.ok(v.frameWidth > 0 && v.frameHeight > 0)
    return v
  }

  /** Chromium peer `name` plays audio that is not silence: samples received grow, and energy with them. */
  async function hearsAudio (name) {
    let last = null
    const describe = () => `Chromium ${name} plays audio with energy; last inbound-rtp audio: ${JSON.stringify(last)}`
    const first = await waitFor(async () => {
      await noErrors()
      last = (await browserStats(name)).inAudio
      return last && last.totalSamplesReceived > 0 ? last : null
    }, STEP_MS, describe, 200)
    return waitFor(async () => {
      await noErrors()
      last = (await browserStats(name)).inAudio
      // totalAudioEnergy adds up power x seconds (webrtc-stats): over at least half a second of
      // played samples, a mean power above MIN_AUDIO_POWER. Silence sent by a disabled track of
      // ours measures about 1e-9 here, our tone about 0.06, Chromium's beep echoed about 0.2.
      const seconds = last.totalSamplesDuration - first.totalSamplesDuration
      return seconds >= 0.5 && last.totalSamplesReceived > first.totalSamplesReceived &&
        (last.totalAudioEnergy - first.totalAudioEnergy) / seconds > MIN_AUDIO_POWER
        ? last
        : null
    }, STEP_MS, describe, 200)
  }

  /** Our peer sends back, on the same connection, every track it receives (in the stream it came in). */
  function echo (node) {
    node.pc.ontrack = e => {
      node.trackEvents.push(e)
      node.pc.addTrack(e.track, ...e.streams)
    }
  }

  it('echo: Chromium sends its camera and microphone, we send the received tracks back on the same connection', async function () {
    const node = pair('cam')
    echo(node)
    await openBrowserPeer('cam', { offer: true, camera: true })
    const v = await decodesVideo('cam', { sameAs: 'cam' })
    assert.equal(v.mimeType, 'video/VP8')
    assert.equal((await browserStats('cam')).outVideo.mimeType, 'video/VP8')
    const a = await hearsAudio('cam')
    assert.equal(a.mimeType, 'audio/opus')
    assert.deepEqual(node.trackEvents.map(e => e.track.kind).sort(), ['audio', 'video'])
    // webrtc-pc fires track events before setRemoteDescription resolves: the tracks added in
    // them go out in our answer, with no second round.
    assert.equal(node.rounds, 1, 'the echo rode on our answer')
    assert.equal(node.pc.localDescription.type, 'answer')
    assert.deepEqual(node.pc.getTransceivers().map(t => t.currentDirection), ['sendrecv', 'sendrecv'])
    const echoed = node.pc.getSenders().map(s => s.track)
    assert.deepEqual(new Set(echoed), new Set(node.trackEvents.map(e => e.track)), 'our senders carry the received tracks')
    const back = await page.evaluate(() => window.peerState('cam'))
    assert.deepEqual(back.tracks.map(t => t.kind).sort(), ['audio', 'video'])
    await noErrors()
  })

  it('echo in a second offer/answer round: we add the received tracks once connected, and offer', async function () {
    const node = pair('later')
    await openBrowserPeer('later', { offer: true, camera: true })
    await waitFor(async () => { await noErrors(); return node.trackEvents.length >= 2 && node.pc.connectionState === 'connected' }, STEP_MS,
      () => `connected with two track events (${node.pc.connectionState}, ${node.trackEvents.length})`)
    assert.deepEqual(node.pc.getTransceivers().map(t => t.currentDirection), ['recvonly', 'recvonly'])
    const negotiated = node.rounds
    for (const e of node.trackEvents) node.pc.addTrack(e.track, ...e.streams)
    await decodesVideo('later', { sameAs: 'later' })
    await hearsAudio('later')
    assert.equal(node.rounds, negotiated + 1, 'one more round, offered by us')
    assert.equal(node.pc.localDescription.type, 'offer', 'the second round is our offer')
    assert.equal(node.pc.remoteDescription.type, 'answer')
    assert.deepEqual(node.pc.getTransceivers().map(t => t.currentDirection), ['sendrecv', 'sendrecv'])
    await noErrors()
  })

  it('relay: Chromium connection 1 → our connection 1 → our connection 2 → Chromium connection 2', async function () {
    const upstream = pair('up')
    const downstream = pair('down')
    const relayed = []
    upstream.pc.ontrack = e => {
      upstream.trackEvents.push(e)
      relayed.push(downstream.pc.addTrack(e.track, ...e.streams))
      if (relayed.length === 2) downstream.offer().catch(err => downstream.errors.push(err))
    }
    const before = nonstandard.relayCounters()
    await openBrowserPeer('down', { offer: false, camera: false })
    await openBrowserPeer('up', { offer: true, camera: true })
    const v = await decodesVideo('down', { sameAs: 'up' })
    assert.equal(v.mimeType, 'video/VP8')
    // Chromium's VP8 went through as Chromium encoded it (issue 17): forwarded, not re-encoded.
    const after = nonstandard.relayCounters()
    assert.ok(after.forwardedFrames > before.forwardedFrames, JSON.stringify({ before, after }))
    assert.equal(after.transcodedFrames, before.transcodedFrames, JSON.stringify({ before, after }))
    await hearsAudio('down')
    const down = await page.evaluate(() => window.peerState('down'))
    assert.deepEqual(down.tracks.map(t => t.kind).sort(), ['audio', 'video'])
    assert.equal((await page.evaluate(() => window.peerState('up'))).tracks.length, 0, 'nothing goes back upstream')
    await noErrors()
  })

  it('relayed audio: Chromium sees the publisher\'s audio level, and goes on hearing it after the publisher changes its SSRC', async function () {
    const upstream = pair('up')
    const downstream = pair('down')
    upstream.pc.ontrack = e => {
      upstream.trackEvents.push(e)
      if (e.track.kind !== 'audio') return
      downstream.pc.addTrack(e.track, ...e.streams)
      downstream.offer().catch(err => downstream.errors.push(err))
    }
    await openBrowserPeer('down', { offer: false, camera: false })
    await openBrowserPeer('up', { offer: true, camera: true })
    await hearsAudio('down')
    // Forwarded (not decoded, not encoded), with the publisher's level in the header extension:
    // Chromium's getSynchronizationSources() says what its beep measures, not silence (1e-6).
    const before = nonstandard.relayCounters().forwardedAudioPackets
    const levels = await page.evaluate(n => window.audioLevels(n, 3000), 'down')
    assert.ok(nonstandard.relayCounters().forwardedAudioPackets - before >= 50, JSON.stringify(nonstandard.relayCounters()))
    assert.ok(levels.max > 0.01, `Chromium's audio levels: ${JSON.stringify(levels)}`)
    // The publisher offers again with another SSRC for its microphone: the relay's receive stream
    // is made again, and the subscriber must not fall silent.
    const { next } = await page.evaluate(n => window.offerNewAudioSsrc(n), 'up')
    await waitFor(async () => {
      await noErrors()
      const up = await browserStats('up')
      const inbound = [...(await upstream.pc.getStats()).values()].find(s => s.type === 'inbound-rtp' && s.kind === 'audio' && s.ssrc === next)
      return up.outAudio && up.outAudio.ssrc === next && inbound && inbound.packetsReceived > 0
    }, STEP_MS, () => 'Chromium sends its audio from the new SSRC, and it reaches us', 200)
    await new Promise(resolve => setTimeout(resolve, 500)) // what the jitter buffer held before
    const after = nonstandard.relayCounters().forwardedAudioPackets
    await hearsAudio('down')
    assert.ok(nonstandard.relayCounters().forwardedAudioPackets - after >= 25)
    assert.ok((await page.evaluate(n => window.audioLevels(n, 3000), 'down')).max > 0.01)
    await noErrors()
  })

  it('we offer recvonly audio and video, Chromium answers with its camera: one stream, tracks unmute', async function () {
    const node = pair('recv')
    const audio = node.pc.addTransceiver('audio', { direction: 'recvonly' })
    const video = node.pc.addTransceiver('video', { direction: 'recvonly' })
    const unmuted = [audio, video].map(t => new Promise(resolve => t.receiver.track.addEventListener('unmute', resolve, { once: true })))
    assert.equal(audio.receiver.track.muted, true)
    assert.equal(video.receiver.track.muted, true)
    const { cameraStream } = await openBrowserPeer('recv', { offer: false, camera: true })
    await node.offer()
    await waitFor(async () => { await noErrors(); return node.trackEvents.length >= 2 }, STEP_MS,
      () => `two track events (got ${node.trackEvents.length})`)
    assert.equal(node.trackEvents.length, 2)
    const [e1, e2] = node.trackEvents
    assert.deepEqual([e1.track.kind, e2.track.kind], ['audio', 'video'])
    assert.equal(e1.track, audio.receiver.track)
    assert.equal(e2.track, video.receiver.track)
    assert.equal(e1.streams.length, 1)
    assert.equal(e2.streams.length, 1)
    assert.ok(e1.streams[0] instanceof MediaStream)
    assert.equal(e1.streams[0], e2.streams[0], 'both tracks in the same MediaStream object')
    assert.equal(e1.streams[0].id, cameraStream, "the stream has Chromium's stream id")
    assert.deepEqual(new Set(e1.streams[0].getTracks()), new Set([e1.track, e2.track]))
    await withTimeout(Promise.all(unmuted), STEP_MS, 'remote tracks unmute')
    assert.equal(audio.receiver.track.muted, false)
    assert.equal(video.receiver.track.muted, false)
    assert.equal(audio.currentDirection, 'recvonly')
    assert.equal(video.currentDirection, 'recvonly')
    const out = await browserStats('recv')
    assert.ok(out.outVideo && out.outVideo.framesEncoded > 0, 'Chromium sends video')
    await noErrors()
  })

  it('our synthetic camera and microphone (getUserMedia 320x240) to Chromium', async function () {
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
    localTracks.push(...stream.getTracks())
    const node = pair('gum')
    for (const track of stream.getTracks()) node.pc.addTrack(track, stream)
    await openBrowserPeer('gum', { offer: false, camera: false })
    await node.offer()
    const v = await decodesVideo('gum', { width: 320, height: 240 })
    assert.equal(v.mimeType, 'video/VP8')
    const a = await hearsAudio('gum')
    assert.equal(a.mimeType, 'audio/opus')
    const got = await page.evaluate(() => window.peerState('gum'))
    assert.deepEqual(got.tracks.map(t => [t.kind, t.streams]).sort(), [['audio', [stream.id]], ['video', [stream.id]]])
    await noErrors()
  })

  it('WebCodecs: a frame drawn red by a VideoTrackGenerator is red in Chromium; Chromium\'s camera reaches a MediaStreamTrackProcessor as 640x480 VideoFrames', async function () {
    const gen = new VideoTrackGenerator()
    localTracks.push(gen.track)
    const writer = gen.writable.getWriter()
    const red = new Uint8Array(320 * 240 * 3 / 2)
    red.fill(81, 0, 320 * 240); red.fill(90, 320 * 240, 320 * 300); red.fill(240, 320 * 300)  // BT.601 red
    let t = 0
    const feed = setInterval(() => {
      writer.write(new VideoFrame(red, { format: 'I420', codedWidth: 320, codedHeight: 240, timestamp: t += 33333 })).catch(() => {})
    }, 33)
    try {
      const node = pair('webcodecs')
      node.pc.addTrack(gen.track)
      await openBrowserPeer('webcodecs', { offer: false, camera: true })
      await node.offer()
      await decodesVideo('webcodecs', { width: 320, height: 240 })
      const rgb = await withTimeout(page.evaluate(n => window.videoColour(n), 'webcodecs'), STEP_MS, 'Chromium paints our video')
      assert.ok(rgb[0] > 200 && rgb[1] < 60 && rgb[2] < 60, `red in Chromium, not RGB ${rgb}`)
      await waitFor(async () => { await noErrors(); return node.trackEvents.find(e => e.track.kind === 'video') }, STEP_MS,
        () => 'Chromium\'s camera track')
      const track = node.trackEvents.find(e => e.track.kind === 'video').track
      const reader = new MediaStreamTrackProcessor({ track }).readable.getReader()
      let frame = null
      await waitFor(async () => {
        const { value } = await reader.read()
        if (value.codedWidth === 640 && value.codedHeight === 480) { frame = value; return true }
        value.close()
        return false
      }, STEP_MS, () => 'a 640x480 VideoFrame from Chromium\'s camera')
      assert.equal(frame.format, 'I420')
      const buf = new Uint8Array(frame.allocationSize())
      await frame.copyTo(buf)
      frame.close()
      let lo = 255; let hi = 0
      for (let i = 0; i < 640 * 480; i++) { lo = Math.min(lo, buf[i]); hi = Math.max(hi, buf[i]) }
      assert.ok(hi - lo > 50, `Chromium's moving pattern, not a flat picture (luma ${lo}..${hi})`)
      reader.cancel()
      await noErrors()
    } finally {
      clearInterval(feed)
    }
  })

  it('getStats: the same types as Chromium reports, bytes and messages sent by one side received by the other', async function () {
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
    localTracks.push(...stream.getTracks())
    const node = pair('stats')
    for (const track of stream.getTracks()) node.pc.addTrack(track, stream)
    const channel = node.pc.createDataChannel('stats')
    await openBrowserPeer('stats', { offer: false, camera: true })
    await node.offer()
    await decodesVideo('stats', { width: 320, height: 240 })
    await hearsAudio('stats')
    if (channel.readyState !== 'open') await new Promise(resolve => channel.addEventListener('open', resolve, { once: true }))
    const sizes = [1, 100, 1000, 10000]
    let bytes = 0
    for (let i = 0; i < 40; i++) {
      const size = sizes[i % sizes.length]
      bytes += size
      channel.send(i % 2 ? new Uint8Array(size) : 'x'.repeat(size))
    }
    const ofType = (list, type, kind) => list.filter(s => s.type === type && (kind === undefined || s.kind === kind))
    const reports = async () => {
      const [ours, theirs] = await Promise.all([node.pc.getStats(), page.evaluate(n => window.allStats(n), 'stats')])
      return { ours: [...ours.values()], theirs }
    }
    let last = null
    const { ours, theirs } = await waitFor(async () => {
      await noErrors()
      last = await reports()
      const { ours, theirs } = last
      const [dc] = ofType(theirs, 'data-channel')
      return ofType(ours, 'inbound-rtp').length === 2 && ofType(ours, 'remote-inbound-rtp').length === 2 &&
        ofType(theirs, 'remote-inbound-rtp').length === 2 && ofType(ours, 'remote-outbound-rtp').length > 0 &&
        dc && dc.messagesReceived === 40 ? last : null
    }, 20000, () => `both reports complete; ours: ${JSON.stringify(last && [...new Set(last.ours.map(s => s.type))])}, ` +
      `Chromium's: ${JSON.stringify(last && [...new Set(last.theirs.map(s => s.type))])}`, 250)
    const ourTypes = new Set(ours.map(s => s.type))
    const theirTypes = new Set(theirs.map(s => s.type))
    // media-playout (webrtc-stats RTCAudioPlayoutStats) came after this libwebrtc (M108).
    assert.deepEqual([...theirTypes].filter(t => !ourTypes.has(t) && t !== 'media-playout'), [], 'types Chromium has and we lack')
    assert.deepEqual([...ourTypes].filter(t => !theirTypes.has(t)), [], 'types we have and Chromium lacks')
    for (const kind of ['audio', 'video']) {
      for (const [from, to, who] of [[ours, theirs, 'we send'], [theirs, ours, 'Chromium sends']]) {
        const [out] = ofType(from, 'outbound-rtp', kind)
        const [inb] = ofType(to, 'inbound-rtp', kind)
        assert.ok(out.bytesSent > 0, `${who} ${kind}`)
        // Read a few milliseconds apart: what was in flight then (video: a frame or two).
        assert.ok(Math.abs(out.bytesSent - inb.bytesReceived) <= Math.max(kind === 'video' ? 40000 : 2000, out.bytesSent * 0.1),
          `${who} ${kind}: ${out.bytesSent} bytes sent, ${inb.bytesReceived} received`)
      }
    }
    const [ourChannel] = ofType(ours, 'data-channel')
    const [theirChannel] = ofType(theirs, 'data-channel')
    assert.deepEqual([ourChannel.messagesSent, ourChannel.bytesSent], [40, bytes])
    assert.deepEqual([theirChannel.messagesReceived, theirChannel.bytesReceived], [40, bytes])
    if (process.env.NODE_LIBWEBRTC_STATS_DIFF) {
      // Members Chromium reports that we do not, and the other way, per type (for the README).
      for (const type of theirTypes) {
        const mine = new Set(ofType(ours, type).flatMap(s => Object.keys(s)))
        const chromes = new Set(ofType(theirs, type).flatMap(s => Object.keys(s)))
        console.log(`      ${type}: Chromium only [${[...chromes].filter(k => !mine.has(k))}], ours only [${[...mine].filter(k => !chromes.has(k))}]`)
      }
    }
    await noErrors()
  })

  /** The codec names of the video m-section of `sdp`, in order. */
  function videoCodecNames (sdp) {
    const section = sdp.split(/^m=/m).find(m => m.startsWith('video'))
    const payloads = section.split(/\r?\n/)[0].split(' ').slice(3)
    return payloads.map(pt => (section.match(new RegExp(`^a=rtpmap:${pt} ([^/]+)/`, 'm')) || [])[1])
  }

  for (const codec of ['VP8', 'VP9', 'H264']) {
    const mimeType = `video/${codec}`
    it(`${codec} forced, both offer directions: Chromium decodes ${codec} from our synthetic camera`, async function () {
      const caps = await page.evaluate(() => window.videoCodecs())
      assert.ok(caps.recv.includes(mimeType), `this Chromium cannot decode ${mimeType}: ${JSON.stringify(caps.recv)}`)
      const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
      localTracks.push(...stream.getTracks())
      const [track] = stream.getVideoTracks()

      // We offer: our transceiver prefers the codec alone (our setCodecPreferences).
      const offerer = pair('we-offer')
      const t = offerer.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] })
      t.setCodecPreferences(ourCodecs(mimeType))
      await openBrowserPeer('we-offer', { offer: false, camera: false })
      await offerer.offer()
      const names = videoCodecNames(offerer.pc.localDescription.sdp)
      assert.deepEqual([...new Set(names.filter(n => n !== 'rtx'))], [codec], `our offer has ${codec} alone (and rtx): ${names}`)

      // Chromium offers to receive, the codec alone (Chromium's setCodecPreferences); we answer
      // with our camera on the transceiver its offer made.
      pair('they-offer', {
        beforeAnswer: async pc => {
          const vt = pc.getTransceivers().find(x => x.receiver.track.kind === 'video')
          await vt.sender.replaceTrack(track)
          vt.direction = 'sendonly'
        }
      })
      await openBrowserPeer('they-offer', { offer: true, camera: false, recvonly: true, codec: mimeType })

      for (const name of ['we-offer', 'they-offer']) await decodesVideo(name, { width: 320, height: 240, mimeType })
      await noErrors()
    })
  }

  it('G.722, PCMU and PCMA forced by our setCodecPreferences: Chromium plays our tone', async function () {
    const stream = await mediaDevices.getUserMedia({ audio: true })
    localTracks.push(...stream.getTracks())
    const [track] = stream.getAudioTracks()
    const forced = { g722: 'audio/G722', pcmu: 'audio/PCMU', pcma: 'audio/PCMA' }
    for (const [name, mimeType] of Object.entries(forced)) {
      const node = pair(name)
      const t = node.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] })
      const codecs = RTCRtpSender.getCapabilities('audio').codecs.filter(c => c.mimeType.toLowerCase() === mimeType.toLowerCase())
      assert.ok(codecs.length > 0, `we cannot send ${mimeType}`)
      t.setCodecPreferences(codecs)
      await openBrowserPeer(name, { offer: false, camera: false })
      await node.offer()
    }
    for (const [name, mimeType] of Object.entries(forced)) {
      const a = await hearsAudio(name)
      assert.equal(a.mimeType.toLowerCase(), mimeType.toLowerCase(), `Chromium ${name} plays ${a.mimeType}, not ${mimeType}`)
    }
    await noErrors()
  })

  it('replaceTrack while sending: Chromium decodes the new size, with no renegotiation', async function () {
    const big = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
    const small = await mediaDevices.getUserMedia({ video: { width: 160, height: 120 } })
    localTracks.push(...big.getTracks(), ...small.getTracks())
    const node = pair('replace')
    const sender = node.pc.addTrack(big.getVideoTracks()[0], big)
    await openBrowserPeer('replace', { offer: false, camera: false })
    await node.offer()
    await decodesVideo('replace', { width: 320, height: 240 })
    const rounds = node.rounds
    await sender.replaceTrack(small.getVideoTracks()[0])
    assert.equal(sender.track, small.getVideoTracks()[0])
    await decodesVideo('replace', { width: 160, height: 120 })
    assert.equal(node.rounds, rounds, 'no renegotiation')
    await noErrors()
  })

  // libwebrtc M108 has an answerer send the first codec of the remote offer, even one its own
  // setCodecPreferences left out of the answer (RFC 3264 6.1: the answerer sends a format listed
  // in its answer); our createAnswer applies the offer again in the answer's order
  // (lib/answer_codec_order.ts), so Chromium decodes VP9 from us here.
  it('our setCodecPreferences on the answer decide the codec we send', async function () {
    const stream = await mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })
    localTracks.push(...stream.getTracks())
    const [track] = stream.getVideoTracks()
    pair('answer-prefs', {
      beforeAnswer: async pc => {
        const vt = pc.getTransceivers().find(x => x.receiver.track.kind === 'video')
        await vt.sender.replaceTrack(track)
        vt.direction = 'sendonly'
        vt.setCodecPreferences(ourCodecs('video/VP9'))
      }
    })
    await openBrowserPeer('answer-prefs', { offer: true, camera: false, recvonly: true })
    const answer = await waitFor(async () => (await page.evaluate(() => window.peerState('answer-prefs'))).remote, STEP_MS, 'our answer')
    assert.deepEqual([...new Set(videoCodecNames(answer).filter(n => n !== 'rtx'))], ['VP9'], 'our answer has VP9 alone')
    await decodesVideo('answer-prefs', { width: 320, height: 240, mimeType: 'video/VP9' })
  })

  /**
   * Encoded transforms both ways: Chromium (encodedInsertableStreams) offers its camera and mic and
   * XORs what it sends and receives with `theirKey`; we answer with our synthetic camera and mic
   * and XOR ours with `ourKey` (createEncodedStreams on our sender and receiver).
   */
  async function xorCall (name, ourKey, theirKey) {
    const stream = await mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } })
    localTracks.push(...stream.getTracks())
    const node = pair(name, {
      beforeAnswer: async pc => {
        for (const t of pc.getTransceivers()) {
          const track = stream.getTracks().find(x => x.kind === t.receiver.track.kind)
          const r = t.receiver.createEncodedStreams()
          r.readable.pipeThrough(xorStream(ourKey)).pipeTo(r.writable).catch(err => node.errors.push(err))
          const s = t.sender.createEncodedStreams()
          s.readable.pipeThrough(xorStream(ourKey)).pipeTo(s.writable).catch(err => node.errors.push(err))
          await t.sender.replaceTrack(track)
          t.direction = 'sendrecv'
        }
      }
    })
    await openBrowserPeer(name, { offer: true, camera: true, codec: 'video/VP8', xor: theirKey })
    return node
  }

  // Our synthetic pattern as Chromium's <video> shows it: grey 130 with a white bar an eighth wide.
  const OUR_PATTERN_RGB = 146

  it('encoded transforms: XOR on both ends, Chromium with encodedInsertableStreams; our picture, its picture, our tone', async function () {
    const node = await xorCall('xor', 0x5a, 0x5a)
    await decodesVideo('xor', { width: 320, height: 240, mimeType: 'video/VP8' })
    const seen = await waitFor(async () => {
      const m = await page.evaluate(n => window.videoMean(n), 'xor')
      return m && Math.abs(m.mean - OUR_PATTERN_RGB) < 20 ? m : null
    }, STEP_MS, 'Chromium shows our pattern')
    assert.deepEqual([seen.width, seen.height], [320, 240])
    await hearsAudio('xor')
    const remote = node.trackEvents.find(e => e.track.kind === 'video').track
    const sink = new nonstandard.RTCVideoSink(remote)
    try {
      const got = await frames(sink, 10, f => f.width === 640 && f.height === 480, STEP_MS)
      assert.equal(got.length, 10)
    } finally { sink.stop() }
    await noErrors()
  })

  it('encoded transforms: with a key Chromium does not share, it never shows our picture', async function () {
    await xorCall('xor-bad', 0x5a, 0x33)
    // Media reaches Chromium (so the check below is about what it makes of it)
    await waitFor(async () => {
      await noErrors()
      const v = (await browserStats('xor-bad')).inVideo
      return v && v.packetsReceived > 50 ? v : null
    }, STEP_MS, 'Chromium receives our video packets')
    const deadline = Date.now() + 5000
    while (Date.now() < deadline) {
      const m = await page.evaluate(n => window.videoMean(n), 'xor-bad')
      if (m) assert.ok(Math.abs(m.mean - OUR_PATTERN_RGB) >= 20 || m.width !== 320, `Chromium showed our picture: ${JSON.stringify(m)}`)
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  })

  it('H264 echo: Chromium sends H.264 (its preference), we decode it and send it back as H.264', async function () {
    const caps = await page.evaluate(() => window.videoCodecs())
    assert.ok(caps.send.includes('video/H264') && caps.recv.includes('video/H264'), `this Chromium has no H.264: ${JSON.stringify(caps)}`)
    const node = pair('h264')
    node.pc.ontrack = e => {
      node.trackEvents.push(e)
      if (e.track.kind !== 'video') return
      const sender = node.pc.addTrack(e.track, ...e.streams)
      const t = node.pc.getTransceivers().find(x => x.sender === sender)
      t.setCodecPreferences(ourCodecs('video/H264'))
    }
    const before = nonstandard.relayCounters()
    await openBrowserPeer('h264', { offer: true, camera: true, codec: 'video/H264' })
    await decodesVideo('h264', { sameAs: 'h264', mimeType: 'video/H264' })
    // Forwarded when Chromium's stream is (Constrained) Baseline and the mode-1 format was chosen,
    // encoded again (by OpenH264) otherwise: either way Chromium decodes it.
    const after = nonstandard.relayCounters()
    assert.ok(after.forwardedFrames + after.transcodedFrames > before.forwardedFrames + before.transcodedFrames,
      JSON.stringify({ before, after }))
    assert.equal((await browserStats('h264')).outVideo.mimeType, 'video/H264', 'Chromium sends H.264')
    const { remote } = await page.evaluate(() => window.peerState('h264'))
    const names = videoCodecNames(remote)
    assert.deepEqual([...new Set(names.filter(n => n !== 'rtx'))], ['H264'], `our answer has H264 alone (and rtx): ${names}`)
    await noErrors()
  })

  it('DTMF: Chromium hears the tones we insert (WebAudio on its remote audio, Goertzel here)', async function () {
    const node = pair('dtmf-out')
    const [mic] = (await mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    localTracks.push(mic)
    mic.enabled = false
    const sender = node.pc.addTrack(mic, new MediaStream([mic]))
    await openBrowserPeer('dtmf-out', { offer: false, camera: false })
    await node.offer()
    await waitFor(async () => { await noErrors(); return sender.dtmf.canInsertDTMF }, STEP_MS, 'canInsertDTMF')
    await waitFor(async () => (await page.evaluate(() => window.peerState('dtmf-out'))).tracks.length > 0, STEP_MS, 'Chromium track event')
    await page.evaluate(() => window.recordAudio('dtmf-out'))
    await new Promise(resolve => setTimeout(resolve, 300))
    const sent = '147#2580*'  // no key twice in a row (test/helpers/dtmf.js)
    const changes = []
    await new Promise(resolve => {
      sender.dtmf.ontonechange = e => { changes.push(e.tone); if (e.tone === '') resolve() }
      sender.dtmf.insertDTMF(sent, 160, 100)
    })
    assert.deepEqual(changes, [...sent, ''])
    // The last tone still has Chromium's jitter buffer and WebAudio's tap ahead of it.
    await new Promise(resolve => setTimeout(resolve, 1500))
    const { sampleRate, samples } = await page.evaluate(() => window.recordedAudio('dtmf-out'))
    const detector = new DtmfDetector()
    detector.pushFloat(samples, sampleRate)
    // In order, nothing else; on a loaded machine WebAudio's tap may drop the buffer of one tone.
    assertHeardInOrder(detector.heard, sent, `Chromium heard (${samples.length} samples at ${sampleRate} Hz)`, { missing: 1 })
    await noErrors()
  })

  it("DTMF: we hear the tones Chromium's insertDTMF sends (RTCAudioSink, Goertzel)", async function () {
    const node = pair('dtmf-in')
    const detector = new DtmfDetector()
    const sinks = []
    node.pc.ontrack = e => {
      node.trackEvents.push(e)
      const sink = new nonstandard.RTCAudioSink(e.track)
      sink.ondata = d => detector.push(d)
      sinks.push(sink)
    }
    try {
      await openBrowserPeer('dtmf-in', { offer: true, camera: true, silentMic: true })
      await waitFor(async () => { await noErrors(); return sinks.length > 0 && node.pc.connectionState === 'connected' }, STEP_MS, 'connected with the audio track')
      await new Promise(resolve => setTimeout(resolve, 300))
      const sent = '369D0#'
      const changes = await page.evaluate(([t]) => window.sendDTMF('dtmf-in', t, 160, 100), [sent])
      assert.deepEqual(changes, [...sent, ''])
      await new Promise(resolve => setTimeout(resolve, 1000))
      // Every tone (test/helpers/dtmf.js).
      assertHeardInOrder(detector.heard, sent, `we heard (in ${detector.blocks} blocks)`)
      await noErrors()
    } finally {
      for (const s of sinks) s.stop()
    }
  })

  it('legacy stream API: we have the members this Chromium has', async function () {
    const theirs = await page.evaluate(() => window.legacyApi())
    const pc = new RTCPeerConnection()
    try {
      const ours = ['addStream', 'removeStream', 'getLocalStreams', 'getRemoteStreams', 'getStreamById',
        'createDTMFSender', 'onaddstream', 'onremovestream'].filter(n => n in RTCPeerConnection.prototype)
      assert.deepEqual(ours, theirs)
    } finally {
      pc.close()
    }
  })
})
