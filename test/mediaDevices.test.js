'use strict'
const assert = require('node:assert/strict')
const { mediaDevices, MediaDevices, MediaDeviceInfo, InputDeviceInfo, MediaStream, OverconstrainedError } = require('..')

describe('mediaDevices', () => {
  const made = []
  afterEach(() => { for (const t of made.splice(0)) t.stop() })
  async function gum (c) {
    const s = await mediaDevices.getUserMedia(c)
    made.push(...s.getTracks())
    return s
  }

  it('is a MediaDevices EventTarget that scripts cannot construct', () => {
    assert.ok(mediaDevices instanceof MediaDevices)
    assert.ok(mediaDevices instanceof EventTarget)
    assert.throws(() => new MediaDevices(), TypeError)
    assert.equal(mediaDevices.ondevicechange, null)
  })

  describe('enumerateDevices()', () => {
    it('lists one microphone, one camera and the default output, with labels', async () => {
      const list = await mediaDevices.enumerateDevices()
      assert.deepEqual(list.map(d => d.kind), ['audioinput', 'videoinput', 'audiooutput'])
      assert.ok(list[0] instanceof InputDeviceInfo)
      assert.ok(list[1] instanceof InputDeviceInfo)
      assert.ok(list[2] instanceof MediaDeviceInfo && !(list[2] instanceof InputDeviceInfo))
      assert.equal(list[0].label, 'Fake Default Audio Input')
      assert.equal(list[1].label, 'fake_device_0')
      assert.equal(list[0].deviceId, 'default')
      for (const d of list) {
        assert.equal(typeof d.deviceId, 'string')
        assert.equal(typeof d.groupId, 'string')
        assert.deepEqual(Object.keys(d.toJSON()).sort(), ['deviceId', 'groupId', 'kind', 'label'])
      }
      assert.throws(() => new MediaDeviceInfo(), TypeError)
    })

    it('ids match the tracks getUserMedia gives, and capabilities match', async () => {
      const [, cam] = await mediaDevices.enumerateDevices()
      const s = await gum({ video: true })
      const t = s.getVideoTracks()[0]
      assert.equal(t.getSettings().deviceId, cam.deviceId)
      assert.equal(t.getSettings().groupId, cam.groupId)
      assert.deepEqual(cam.getCapabilities(), t.getCapabilities())
      // deviceId constraints select it.
      const s2 = await gum({ video: { deviceId: { exact: cam.deviceId } } })
      assert.equal(s2.getVideoTracks()[0].getSettings().deviceId, cam.deviceId)
    })
  })

  describe('getSupportedConstraints()', () => {
    it('names what the devices honour', () => {
      const c = mediaDevices.getSupportedConstraints()
      for (const name of ['width', 'height', 'aspectRatio', 'frameRate', 'facingMode', 'resizeMode', 'deviceId',
        'groupId', 'sampleRate', 'sampleSize', 'channelCount', 'echoCancellation', 'autoGainControl',
        'noiseSuppression', 'latency']) {
        assert.equal(c[name], true, name)
      }
    })
  })

  describe('getUserMedia()', () => {
    it('video: true gives one 640x480 30 fps live video track', async () => {
      const s = await gum({ video: true })
      assert.ok(s instanceof MediaStream)
      assert.equal(s.getTracks().length, 1)
      const t = s.getVideoTracks()[0]
      assert.equal(t.readyState, 'live')
      assert.deepEqual([t.getSettings().width, t.getSettings().height, t.getSettings().frameRate], [640, 480, 30])
      assert.equal(s.active, true)
    })

    it('audio and video: one of each, audio first', async () => {
      const s = await gum({ audio: true, video: true })
      assert.deepEqual(s.getTracks().map(t => t.kind), ['audio', 'video'])
    })

    it('honours ideal, exact, min and max', async () => {
      let t = (await gum({ video: { width: { ideal: 1280 }, height: { ideal: 720 } } })).getVideoTracks()[0]
      assert.deepEqual([t.getSettings().width, t.getSettings().height], [1280, 720])
      t = (await gum({ video: { width: { min: 1000 } } })).getVideoTracks()[0]
      assert.equal(t.getSettings().width, 1000)
      t = (await gum({ video: { width: { max: 320 }, frameRate: { exact: 15 } } })).getVideoTracks()[0]
      assert.equal(t.getSettings().width, 320)
      assert.equal(t.getSettings().height, 240)
      assert.equal(t.getSettings().frameRate, 15)
      t = (await gum({ video: { aspectRatio: { exact: 16 / 9 } } })).getVideoTracks()[0]
      assert.deepEqual([t.getSettings().width, t.getSettings().height], [640, 360])
      assert.deepEqual(t.getConstraints(), { aspectRatio: { exact: 16 / 9 } })
      t = (await gum({ audio: { sampleRate: 16000, channelCount: { exact: 2 } } })).getAudioTracks()[0]
      assert.equal(t.getSettings().sampleRate, 16000)
      assert.equal(t.getSettings().channelCount, 2)
    })

    it('ideal facingMode is ignored, exact facingMode cannot be met (the camera faces nowhere)', async () => {
      await gum({ video: { facingMode: 'user' } })
      await assert.rejects(mediaDevices.getUserMedia({ video: { facingMode: { exact: 'environment' } } }),
        { name: 'OverconstrainedError', constraint: 'facingMode' })
    })

    it('rejects OverconstrainedError naming the constraint', async () => {
      const cases = [
        [{ video: { width: { exact: 100000 } } }, 'width'],
        [{ video: { height: { min: 5000 } } }, 'height'],
        [{ video: { frameRate: { min: 1000 } } }, 'frameRate'],
        [{ video: { deviceId: { exact: 'nope' } } }, 'deviceId'],
        [{ video: { groupId: { exact: ['a', 'b'] } } }, 'groupId'],
        [{ audio: { sampleRate: { exact: 1000 } } }, 'sampleRate'],
        [{ audio: { channelCount: { min: 6 } } }, 'channelCount'],
        [{ audio: true, video: { width: { exact: 0 } } }, 'width']
      ]
      for (const [c, name] of cases) {
        await assert.rejects(mediaDevices.getUserMedia(c), err => {
          assert.ok(err instanceof OverconstrainedError, String(err))
          assert.ok(err instanceof DOMException)
          assert.equal(err.constraint, name, JSON.stringify(c))
          return true
        })
      }
    })

    it('rejects TypeError when neither audio nor video is asked for', async () => {
      for (const c of [undefined, {}, { audio: false }, { audio: false, video: false }, { video: null }]) {
        const p = mediaDevices.getUserMedia(c)
        assert.ok(p instanceof Promise)
        await assert.rejects(p, TypeError)
      }
      await assert.rejects(mediaDevices.getUserMedia(5), TypeError)
    })
  })

  it('getDisplayMedia() rejects NotSupportedError', async () => {
    await assert.rejects(mediaDevices.getDisplayMedia({ video: true }), { name: 'NotSupportedError' })
  })

  describe('OverconstrainedError', () => {
    it('is a DOMException named OverconstrainedError with a constraint', () => {
      const e = new OverconstrainedError('width', 'too wide')
      assert.ok(e instanceof DOMException)
      assert.equal(e.name, 'OverconstrainedError')
      assert.equal(e.message, 'too wide')
      assert.equal(e.constraint, 'width')
      assert.equal(new OverconstrainedError('x').message, '')
      assert.throws(() => new OverconstrainedError(), TypeError)
    })
  })
})
