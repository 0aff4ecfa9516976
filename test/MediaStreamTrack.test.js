'use strict'
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { MediaStreamTrack, MediaStream, OverconstrainedError, mediaDevices, nonstandard } = require('..')
const { binding } = require('../dist/native')
const { createTrack, nativeTrack, setTrackMuted, endTrack } = require('../dist/MediaStreamTrack')

const root = path.join(__dirname, '..')

async function videoTrack (constraints = true) {
  return (await mediaDevices.getUserMedia({ video: constraints })).getVideoTracks()[0]
}
async function audioTrack (constraints = true) {
  return (await mediaDevices.getUserMedia({ audio: constraints })).getAudioTracks()[0]
}
function remoteTrack (kind = 'video') {
  const native = kind === 'video' ? binding.createSyntheticVideoTrack({}) : binding.createSyntheticAudioTrack({})
  return createTrack(native, { remote: true, label: 'remote', muted: true })
}
function record (target, ...types) {
  const seen = []
  for (const t of types) target.addEventListener(t, () => seen.push(t))
  return seen
}

describe('MediaStreamTrack', () => {
  const made = []
  afterEach(() => { for (const t of made.splice(0)) t.stop() })
  async function v (c) { const t = await videoTrack(c); made.push(t); return t }
  async function a (c) { const t = await audioTrack(c); made.push(t); return t }

  it('cannot be constructed by scripts', () => {
    assert.throws(() => new MediaStreamTrack(), { name: 'TypeError', message: 'Illegal constructor' })
    assert.throws(() => new MediaStreamTrack({}), TypeError)
  })

  it('a video track from getUserMedia has the spec attributes', async () => {
    const t = await v()
    assert.ok(t instanceof MediaStreamTrack)
    assert.ok(t instanceof EventTarget)
    assert.equal(t.kind, 'video')
    assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.equal(t.label, 'fake_device_0')
    assert.equal(t.enabled, true)
    assert.equal(t.muted, false)
    assert.equal(t.readyState, 'live')
    assert.equal(t.contentHint, '')
    assert.equal(t.onmute, null)
    assert.equal(t.onunmute, null)
    assert.equal(t.onended, null)
    assert.equal(Object.prototype.toString.call(t), '[object MediaStreamTrack]')
  })

  it('an audio track from getUserMedia has the spec attributes', async () => {
    const t = await a()
    assert.equal(t.kind, 'audio')
    assert.equal(t.label, 'Fake Default Audio Input')
    assert.equal(t.readyState, 'live')
  })

  describe('enabled', () => {
    it('toggles and converts to boolean', async () => {
      const t = await v()
      t.enabled = false
      assert.equal(t.enabled, false)
      t.enabled = 1
      assert.equal(t.enabled, true)
      t.stop()
      t.enabled = false  // allowed on an ended track, no effect on media
      assert.equal(t.enabled, false)
    })
  })

  describe('contentHint', () => {
    it('takes the hints of its kind and ignores others', async () => {
      const t = await v()
      for (const h of ['motion', 'detail', 'text', '']) {
        t.contentHint = h
        assert.equal(t.contentHint, h)
      }
      t.contentHint = 'motion'
      t.contentHint = 'speech'
      assert.equal(t.contentHint, 'motion')
      t.contentHint = 'bogus'
      assert.equal(t.contentHint, 'motion')
      const au = await a()
      au.contentHint = 'music'
      assert.equal(au.contentHint, 'music')
      au.contentHint = 'detail'
      assert.equal(au.contentHint, 'music')
      for (const h of ['speech', 'speech-recognition', '']) {
        au.contentHint = h
        assert.equal(au.contentHint, h)
      }
      assert.throws(() => { t.contentHint = Symbol('x') }, TypeError)
    })
  })

  describe('stop()', () => {
    it('ends the track without an ended event, and is idempotent', async () => {
      const t = await v()
      const seen = record(t, 'ended', 'mute', 'unmute')
      let handler = 0
      t.onended = () => handler++
      t.stop()
      assert.equal(t.readyState, 'ended')
      t.stop()
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(seen, [])
      assert.equal(handler, 0)
    })

    it('stopping one of a track and its clone leaves the other live', async () => {
      const t = await v({ width: 320, height: 240 })
      const c = t.clone()
      made.push(c)
      t.stop()
      assert.equal(t.readyState, 'ended')
      assert.equal(c.readyState, 'live')
      assert.equal(c.getSettings().width, 320)
    })
  })

  describe('clone()', () => {
    it('has a new id and the same kind, label, enabled, contentHint, settings and constraints', async () => {
      const t = await v({ width: { ideal: 320 }, frameRate: 15 })
      t.enabled = false
      t.contentHint = 'detail'
      const c = t.clone()
      made.push(c)
      assert.ok(c instanceof MediaStreamTrack)
      assert.notEqual(c.id, t.id)
      assert.equal(c.kind, 'video')
      assert.equal(c.label, t.label)
      assert.equal(c.enabled, false)
      assert.equal(c.contentHint, 'detail')
      assert.equal(c.readyState, 'live')
      assert.deepEqual(c.getSettings(), t.getSettings())
      assert.deepEqual(c.getConstraints(), t.getConstraints())
      assert.deepEqual(c.getCapabilities(), t.getCapabilities())
    })

    it('of an ended track is ended', async () => {
      const t = await a()
      t.stop()
      const c = t.clone()
      assert.equal(c.readyState, 'ended')
      assert.notEqual(c.id, t.id)
    })
  })

  describe('getSettings(), getCapabilities(), getConstraints()', () => {
    it('a default video track is 640x480 at 30 fps', async () => {
      const t = await v()
      const s = t.getSettings()
      assert.equal(s.width, 640)
      assert.equal(s.height, 480)
      assert.equal(s.frameRate, 30)
      assert.equal(s.aspectRatio, 1.3333)
      assert.equal(typeof s.deviceId, 'string')
      assert.equal(typeof s.groupId, 'string')
      assert.deepEqual(t.getConstraints(), {})
      const caps = t.getCapabilities()
      assert.equal(caps.deviceId, s.deviceId)
      assert.ok(caps.width.min <= 640 && caps.width.max >= 1920)
      assert.ok(caps.frameRate.max >= 30)
    })

    it('a default audio track is 48 kHz mono 16 bit', async () => {
      const t = await a()
      const s = t.getSettings()
      assert.equal(s.sampleRate, 48000)
      assert.equal(s.channelCount, 1)
      assert.equal(s.sampleSize, 16)
      assert.equal(s.echoCancellation, false)
      assert.equal(s.deviceId, 'default')
      assert.deepEqual(t.getCapabilities().sampleSize, { min: 16, max: 16 })
    })

    it('return copies', async () => {
      const t = await v({ width: 320 })
      t.getConstraints().width = 1
      t.getCapabilities().width.max = 1
      assert.equal(t.getConstraints().width, 320)
      assert.notEqual(t.getCapabilities().width.max, 1)
    })
  })

  describe('applyConstraints()', () => {
    it('changes what the source produces and getSettings()', async () => {
      const t = await v()
      const c = { width: 320, height: { exact: 180 }, frameRate: { max: 10 } }
      const r = t.applyConstraints(c)
      assert.ok(r instanceof Promise)
      assert.equal(await r, undefined)
      const s = t.getSettings()
      assert.equal(s.width, 320)
      assert.equal(s.height, 180)
      assert.equal(s.frameRate, 10)
      assert.equal(s.aspectRatio, 1.7778)
      assert.deepEqual(t.getConstraints(), c)
    })

    it('keeps the aspect ratio when only one dimension is asked for, or follows aspectRatio', async () => {
      const t = await v()
      await t.applyConstraints({ width: 1280 })
      assert.deepEqual([t.getSettings().width, t.getSettings().height], [1280, 960])
      await t.applyConstraints({ width: 1280, aspectRatio: 16 / 9 })
      assert.deepEqual([t.getSettings().width, t.getSettings().height], [1280, 720])
    })

    it('changes an audio track\'s sample rate and channel count', async () => {
      const t = await a()
      await t.applyConstraints({ sampleRate: { exact: 16000 }, channelCount: 2 })
      assert.equal(t.getSettings().sampleRate, 16000)
      assert.equal(t.getSettings().channelCount, 2)
    })

    it('clamps ideal values to what the device can do', async () => {
      const t = await v()
      await t.applyConstraints({ width: { ideal: 100000 }, frameRate: { ideal: 1000 } })
      assert.equal(t.getSettings().width, t.getCapabilities().width.max)
      assert.equal(t.getSettings().frameRate, t.getCapabilities().frameRate.max)
    })

    it('rejects OverconstrainedError for impossible required constraints and changes nothing', async () => {
      const t = await v({ width: 320, height: 240 })
      const cases = [
        [{ width: { exact: 100000 } }, 'width'],
        [{ height: { min: 100000 } }, 'height'],
        [{ frameRate: { max: 0 } }, 'frameRate'],
        [{ width: { min: 500, max: 400 } }, 'width'],
        [{ deviceId: { exact: 'no-such-device' } }, 'deviceId'],
        [{ facingMode: { exact: 'user' } }, 'facingMode'],
        [{ width: { exact: 640 }, height: { exact: 480 }, aspectRatio: { exact: 2 } }, 'aspectRatio']
      ]
      for (const [c, name] of cases) {
        await assert.rejects(t.applyConstraints(c), err => {
          assert.ok(err instanceof OverconstrainedError, String(err))
          assert.equal(err.name, 'OverconstrainedError')
          assert.equal(err.constraint, name, JSON.stringify(c))
          return true
        })
      }
      assert.equal(t.getSettings().width, 320)
      assert.deepEqual(t.getConstraints(), { width: 320, height: 240 })
    })

    it('resizeMode: an exact unknown mode rejects, an ideal one changes nothing, a known one is reported', async () => {
      const t = await v()
      assert.equal(t.getSettings().resizeMode, 'none')
      await assert.rejects(t.applyConstraints({ resizeMode: { exact: 'INVALID' } }), { name: 'OverconstrainedError', constraint: 'resizeMode' })
      await t.applyConstraints({ resizeMode: 'INVALID' })
      assert.equal(t.getSettings().resizeMode, 'none')
      await t.applyConstraints({ resizeMode: { exact: 'crop-and-scale' } })
      assert.equal(t.getSettings().resizeMode, 'crop-and-scale')
      const c = t.clone()
      made.push(c)
      assert.equal(c.getSettings().resizeMode, 'crop-and-scale')
      await assert.rejects(t.applyConstraints({ groupId: { exact: 'INVALID' } }), { name: 'OverconstrainedError', constraint: 'groupId' })
      const groupId = t.getSettings().groupId
      await t.applyConstraints({ groupId: 'INVALID' })
      assert.equal(t.getSettings().groupId, groupId)
    })

    it('audio: impossible sampleSize or echoCancellation', async () => {
      const t = await a()
      await assert.rejects(t.applyConstraints({ sampleSize: { exact: 24 } }), { name: 'OverconstrainedError', constraint: 'sampleSize' })
      await assert.rejects(t.applyConstraints({ echoCancellation: { exact: true } }), { name: 'OverconstrainedError', constraint: 'echoCancellation' })
      await t.applyConstraints({ echoCancellation: true })  // ideal: no error
      assert.equal(t.getSettings().echoCancellation, false)
    })

    it('skips advanced sets that cannot be met, applies those that can', async () => {
      const t = await v()
      await t.applyConstraints({ advanced: [{ width: 100000 }, { width: 320, height: 240 }] })
      assert.equal(t.getSettings().width, 320)
      assert.equal(t.getSettings().height, 240)
    })

    it('rejects (does not throw) a TypeError for a non-object', async () => {
      const t = await v()
      const p = t.applyConstraints(5)
      assert.ok(p instanceof Promise)
      await assert.rejects(p, TypeError)
      await assert.rejects(t.applyConstraints({ width: 'wide' }), TypeError)
    })

    it('with no argument resolves and clears the constraints', async () => {
      const t = await v({ width: 320 })
      await t.applyConstraints()
      assert.deepEqual(t.getConstraints(), {})
    })

    it('on an ended track resolves and changes nothing', async () => {
      const t = await v()
      t.stop()
      await t.applyConstraints({ width: { exact: 100000 } })
    })
  })

  describe('remote tracks (the receiver helpers)', () => {
    it('createTrack makes a muted remote track; setTrackMuted fires mute/unmute on change only', () => {
      const t = remoteTrack()
      assert.equal(t.muted, true)
      assert.equal(t.label, 'remote')
      const seen = record(t, 'mute', 'unmute')
      let handler = 0
      t.onunmute = () => handler++
      setTrackMuted(t, false)
      setTrackMuted(t, false)
      setTrackMuted(t, true)
      assert.deepEqual(seen, ['unmute', 'mute'])
      assert.equal(handler, 1)
      assert.equal(t.muted, true)
      endTrack(t)
    })

    it('endTrack ends the track and fires ended once; no mute events afterwards', () => {
      const t = remoteTrack('audio')
      const seen = record(t, 'ended', 'mute', 'unmute')
      endTrack(t)
      endTrack(t)
      setTrackMuted(t, false)
      assert.equal(t.readyState, 'ended')
      assert.deepEqual(seen, ['ended'])
    })

    it('a remote track has no capabilities and honours no required constraint', async () => {
      const t = remoteTrack()
      assert.deepEqual(t.getCapabilities(), {})
      // What the native side knows of the media (here a synthetic source stands in), no device.
      assert.deepEqual(t.getSettings(), { width: 640, height: 480, aspectRatio: 1.3333, frameRate: 30 })
      await t.applyConstraints({ width: { ideal: 10 } })
      await assert.rejects(t.applyConstraints({ width: { exact: 10 } }), { name: 'OverconstrainedError', constraint: 'width' })
      endTrack(t)
    })

    it('nativeTrack gives the native half, TypeError for anything else', async () => {
      const t = await v()
      const n = nativeTrack(t)
      assert.equal(n.kind, 'video')
      assert.equal(n.id, t.id)
      assert.throws(() => nativeTrack({}), TypeError)
      assert.throws(() => nativeTrack(null), TypeError)
    })

    it('a clone of a remote track is remote, with its own id', () => {
      const t = remoteTrack()
      const c = t.clone()
      assert.notEqual(c.id, t.id)
      assert.equal(c.muted, true)
      const seen = record(c, 'unmute')
      setTrackMuted(c, false)
      assert.deepEqual(seen, ['unmute'])
      endTrack(t)
      assert.equal(c.readyState, 'live')
      endTrack(c)
    })
  })

  describe('native resources', () => {
    it('tracks are counted while they hold native objects; shutdown is not needed to release them', async () => {
      const before = nonstandard.liveObjects().mediaStreamTracks
      const t = await v()
      assert.equal(nonstandard.liveObjects().mediaStreamTracks, before + 1)
      t.stop()
    })

    it('a process with live synthetic tracks exits when its script ends, and on process.exit()', function () {
      this.timeout(30000)
      for (const mode of ['return', 'exit']) {
        const started = Date.now()
        const r = spawnSync(process.execPath, [path.join(__dirname, 'media-fixtures', 'live-tracks.js'), mode],
          { cwd: root, encoding: 'utf8', timeout: 15000 })
        const out = `mode=${mode} status=${r.status} signal=${r.signal}\n${r.stdout}\n${r.stderr}`
        assert.equal(r.signal, null, out)
        assert.equal(r.status, 0, out)
        assert.match(r.stdout, /tracks live: 4/, out)
        assert.doesNotMatch(r.stderr, /Fatal error|Check failed|Segmentation|Aborted/, out)
        assert.ok(Date.now() - started < 15000, out)
      }
    })

    it('a Worker with live synthetic tracks ends cleanly', function () {
      this.timeout(30000)
      const r = spawnSync(process.execPath, [path.join(__dirname, 'media-fixtures', 'live-tracks.js'), 'worker'],
        { cwd: root, encoding: 'utf8', timeout: 15000 })
      const out = `status=${r.status} signal=${r.signal}\n${r.stdout}\n${r.stderr}`
      assert.equal(r.status, 0, out)
      assert.match(r.stdout, /worker done/, out)
    })
  })

  it('is exported with MediaStream', () => {
    assert.equal(typeof MediaStream, 'function')
  })
})
