'use strict'
const assert = require('node:assert/strict')
const { MediaStream, MediaStreamTrack, MediaStreamTrackEvent, mediaDevices } = require('..')
const { binding } = require('../dist/native')
const { createTrack, endTrack } = require('../dist/MediaStreamTrack')
const { createStream, addRemoteTrack, removeRemoteTrack } = require('../dist/MediaStream')

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('MediaStream', () => {
  const made = []
  afterEach(() => { for (const t of made.splice(0)) t.stop() })
  async function tracks () {
    const s = await mediaDevices.getUserMedia({ audio: true, video: true })
    made.push(...s.getTracks())
    return s.getTracks()
  }
  function remoteTrack (kind) {
    const n = kind === 'video' ? binding.createSyntheticVideoTrack({}) : binding.createSyntheticAudioTrack({})
    const t = createTrack(n, { remote: true, muted: true })
    made.push(t)
    return t
  }

  describe('constructor', () => {
    it('with no argument: empty, inactive, a UUID id', () => {
      const s = new MediaStream()
      assert.ok(s instanceof EventTarget)
      assert.match(s.id, UUID)
      assert.notEqual(new MediaStream().id, s.id)
      assert.deepEqual(s.getTracks(), [])
      assert.equal(s.active, false)
      assert.equal(s.onaddtrack, null)
      assert.equal(s.onremovetrack, null)
      assert.equal(Object.prototype.toString.call(s), '[object MediaStream]')
    })

    it('with tracks: those tracks (not clones), once each, in order', async () => {
      const [a, v] = await tracks()
      const s = new MediaStream([v, a, v])
      assert.deepEqual(s.getTracks(), [v, a])
      assert.equal(s.active, true)
    })

    it('with a stream: its tracks under a new id', async () => {
      const [a, v] = await tracks()
      const s1 = new MediaStream([a, v])
      const s2 = new MediaStream(s1)
      assert.notEqual(s2.id, s1.id)
      assert.deepEqual(s2.getTracks(), [a, v])
    })

    it('throws TypeError for anything else', () => {
      assert.throws(() => new MediaStream(5), TypeError)
      assert.throws(() => new MediaStream([{}]), TypeError)
      assert.throws(() => new MediaStream(['x']), TypeError)
    })
  })

  describe('track accessors', () => {
    it('getAudioTracks, getVideoTracks, getTrackById', async () => {
      const [a, v] = await tracks()
      const s = new MediaStream([a, v])
      assert.deepEqual(s.getAudioTracks(), [a])
      assert.deepEqual(s.getVideoTracks(), [v])
      assert.equal(s.getTrackById(v.id), v)
      assert.equal(s.getTrackById('nope'), null)
      assert.throws(() => s.getTrackById(), TypeError)
      // The lists are copies.
      s.getTracks().pop()
      assert.equal(s.getTracks().length, 2)
    })
  })

  describe('addTrack() / removeTrack()', () => {
    it('add and remove without events; duplicates and absent tracks are ignored', async () => {
      const [a, v] = await tracks()
      const s = new MediaStream()
      const seen = []
      s.onaddtrack = () => seen.push('add')
      s.onremovetrack = () => seen.push('remove')
      s.addTrack(a)
      s.addTrack(a)
      s.addTrack(v)
      assert.deepEqual(s.getTracks(), [a, v])
      s.removeTrack(a)
      s.removeTrack(a)
      assert.deepEqual(s.getTracks(), [v])
      await new Promise(resolve => setTimeout(resolve, 10))
      assert.deepEqual(seen, [])
    })

    it('TypeError for a non-track or a missing argument', () => {
      const s = new MediaStream()
      assert.throws(() => s.addTrack({}), TypeError)
      assert.throws(() => s.addTrack(), TypeError)
      assert.throws(() => s.removeTrack(null), TypeError)
      assert.throws(() => s.removeTrack(), TypeError)
    })
  })

  describe('active', () => {
    it('goes false when every track has ended (stop() or the remote end)', async () => {
      const [a, v] = await tracks()
      const r = remoteTrack('audio')
      const s = new MediaStream([a, v, r])
      a.stop()
      assert.equal(s.active, true)
      v.stop()
      assert.equal(s.active, true)
      endTrack(r)
      assert.equal(s.active, false)
    })
  })

  describe('clone()', () => {
    it('a new stream with clones of every track', async () => {
      const [a, v] = await tracks()
      const s = new MediaStream([a, v])
      const c = s.clone()
      made.push(...c.getTracks())
      assert.notEqual(c.id, s.id)
      assert.equal(c.getTracks().length, 2)
      assert.deepEqual(c.getTracks().map(t => t.kind), ['audio', 'video'])
      for (const t of c.getTracks()) {
        assert.ok(t instanceof MediaStreamTrack)
        assert.ok(!s.getTracks().includes(t))
      }
    })
  })

  describe('remote streams (the receiver helpers)', () => {
    it('createStream has the given id', () => {
      const s = createStream('remote-msid')
      assert.equal(s.id, 'remote-msid')
      assert.ok(s instanceof MediaStream)
      // Later streams get UUIDs again.
      assert.match(new MediaStream().id, UUID)
    })

    it('addRemoteTrack and removeRemoteTrack fire addtrack/removetrack once', () => {
      const s = createStream('m')
      const t = remoteTrack('video')
      const seen = []
      s.onaddtrack = e => {
        assert.ok(e instanceof MediaStreamTrackEvent)
        assert.equal(e.track, t)
        seen.push('add')
      }
      s.addEventListener('removetrack', e => { assert.equal(e.track, t); seen.push('remove') })
      addRemoteTrack(s, t)
      addRemoteTrack(s, t)
      assert.deepEqual(s.getTracks(), [t])
      removeRemoteTrack(s, t)
      removeRemoteTrack(s, t)
      assert.deepEqual(s.getTracks(), [])
      assert.deepEqual(seen, ['add', 'remove'])
    })
  })

  describe('MediaStreamTrackEvent', () => {
    it('takes a track, TypeError without one', async () => {
      const [a] = await tracks()
      const e = new MediaStreamTrackEvent('addtrack', { track: a })
      assert.equal(e.type, 'addtrack')
      assert.equal(e.track, a)
      assert.ok(e instanceof Event)
      assert.throws(() => new MediaStreamTrackEvent('addtrack'), TypeError)
      assert.throws(() => new MediaStreamTrackEvent('addtrack', {}), TypeError)
      assert.throws(() => new MediaStreamTrackEvent('addtrack', { track: {} }), TypeError)
    })
  })
})
