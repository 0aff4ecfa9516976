// MediaDevices (mediacapture-streams) with synthetic devices, as Chromium gives them with
// --use-fake-device-for-media-stream: a camera ('fake_device_0', 640x480 at 30 fps by default,
// a moving test pattern: src-native/media/synthetic_video_source.h), a microphone ('Fake Default
// Audio Input', a 440 Hz tone, 48 kHz mono by default) and a default audio output (where remote
// audio is "played": nowhere). There is no permission prompt: labels are always given.
import { createHash } from 'node:crypto'
import {
  copyConstraints, selectSettings, supportedConstraints, type MediaTrackCapabilities, type MediaTrackConstraints,
  type MediaTrackSettings, type MediaTrackSupportedConstraints
} from './constraints'
import { RTCEventTarget, defineEventHandlers } from './event_target'
import { INTERNAL, illegalConstructor } from './internal'
import { MediaStream } from './MediaStream'
import { createTrack, type MediaStreamTrack, type TrackDevice } from './MediaStreamTrack'
import { binding } from './native'

export type MediaDeviceKind = 'audioinput' | 'audiooutput' | 'videoinput'

export interface MediaStreamConstraints {
  video?: boolean | MediaTrackConstraints
  audio?: boolean | MediaTrackConstraints
}

function hashId (what: string): string {
  return createHash('sha256').update('node-libwebrtc synthetic device: ' + what).digest('hex')
}

const VIDEO_LABEL = 'fake_device_0'
const AUDIO_LABEL = 'Fake Default Audio Input'
const OUTPUT_LABEL = 'Fake Default Audio Output'

const VIDEO_DEVICE: TrackDevice = {
  deviceId: hashId(VIDEO_LABEL),
  groupId: hashId('group ' + VIDEO_LABEL),
  capabilities: {
    width: { min: 1, max: 3840 },
    height: { min: 1, max: 2160 },
    aspectRatio: { min: 1 / 2160, max: 3840 },
    frameRate: { min: 1, max: 60 },
    facingMode: [],
    resizeMode: ['none', 'crop-and-scale']
  }
}
const VIDEO_DEFAULTS: MediaTrackSettings = {
  deviceId: VIDEO_DEVICE.deviceId, groupId: VIDEO_DEVICE.groupId, width: 640, height: 480, frameRate: 30, resizeMode: 'none'
}

const AUDIO_GROUP = hashId('group audio')
const AUDIO_DEVICE: TrackDevice = {
  deviceId: 'default',
  groupId: AUDIO_GROUP,
  capabilities: {
    sampleRate: { min: 8000, max: 192000 },
    sampleSize: { min: 16, max: 16 },
    channelCount: { min: 1, max: 2 },
    latency: { min: 0.01, max: 0.01 },
    echoCancellation: [false],
    autoGainControl: [false],
    noiseSuppression: [false]
  }
}
const AUDIO_DEFAULTS: MediaTrackSettings = {
  deviceId: 'default', groupId: AUDIO_GROUP, sampleRate: 48000, sampleSize: 16, channelCount: 1, latency: 0.01,
  echoCancellation: false, autoGainControl: false, noiseSuppression: false
}

function withIds (device: TrackDevice): MediaTrackCapabilities {
  return { deviceId: device.deviceId, groupId: device.groupId, ...device.capabilities }
}
// Constraints on deviceId/groupId are resolved against the capabilities' ids.
VIDEO_DEVICE.capabilities = withIds(VIDEO_DEVICE)
AUDIO_DEVICE.capabilities = withIds(AUDIO_DEVICE)

/** MediaDeviceInfo: one device as enumerateDevices() lists it. */
export class MediaDeviceInfo {
  readonly #deviceId: string
  readonly #kind: MediaDeviceKind
  readonly #label: string
  readonly #groupId: string

  /** @internal */
  constructor (token?: unknown, deviceId?: string, kind?: MediaDeviceKind, label?: string, groupId?: string) {
    illegalConstructor(token)
    this.#deviceId = deviceId!
    this.#kind = kind!
    this.#label = label!
    this.#groupId = groupId!
  }

  get deviceId (): string { return this.#deviceId }
  get kind (): MediaDeviceKind { return this.#kind }
  get label (): string { return this.#label }
  get groupId (): string { return this.#groupId }

  toJSON (): { deviceId: string, kind: MediaDeviceKind, label: string, groupId: string } {
    return { deviceId: this.#deviceId, kind: this.#kind, label: this.#label, groupId: this.#groupId }
  }

  get [Symbol.toStringTag] (): string { return 'MediaDeviceInfo' }
}

/** InputDeviceInfo: an input device, with what it can do. */
export class InputDeviceInfo extends MediaDeviceInfo {
  readonly #capabilities: MediaTrackCapabilities

  /** @internal */
  constructor (token?: unknown, device?: TrackDevice, kind?: MediaDeviceKind, label?: string) {
    super(token, device?.deviceId, kind, label, device?.groupId)
    this.#capabilities = device!.capabilities
  }

  getCapabilities (): MediaTrackCapabilities { return structuredClone(this.#capabilities) }

  override get [Symbol.toStringTag] (): string { return 'InputDeviceInfo' }
}

/** The settings `constraints` select on a device (throws OverconstrainedError or TypeError). */
function resolve (constraints: MediaTrackConstraints, device: TrackDevice, defaults: MediaTrackSettings,
  kind: 'audio' | 'video'): MediaTrackSettings {
  return selectSettings(constraints, { kind, capabilities: device.capabilities, settings: defaults })
}

function trackConstraints (value: unknown, member: string): MediaTrackConstraints | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'object') return value as MediaTrackConstraints
  if (typeof value === 'function') {
    throw new TypeError(`Failed to execute 'getUserMedia' on 'MediaDevices': member ${member} is not of type (boolean or MediaTrackConstraints).`)
  }
  return Boolean(value) ? {} : null
}

export interface MediaDevicesEventMap {
  devicechange: Event
}

export class MediaDevices extends RTCEventTarget {
  declare ondevicechange: ((this: MediaDevices, ev: Event) => unknown) | null

  /** @internal */
  constructor (token?: unknown) {
    illegalConstructor(token)
    super()
  }

  // The synthetic devices never change: nothing to keep reachable for.
  protected get active (): boolean { return false }

  async enumerateDevices (): Promise<MediaDeviceInfo[]> {
    return [
      new InputDeviceInfo(INTERNAL, AUDIO_DEVICE, 'audioinput', AUDIO_LABEL),
      new InputDeviceInfo(INTERNAL, VIDEO_DEVICE, 'videoinput', VIDEO_LABEL),
      new MediaDeviceInfo(INTERNAL, 'default', 'audiooutput', OUTPUT_LABEL, AUDIO_GROUP)
    ]
  }

  getSupportedConstraints (): MediaTrackSupportedConstraints {
    return supportedConstraints()
  }

  /**
   * A stream with a synthetic audio and/or video track. TypeError when neither is asked for;
   * OverconstrainedError (its `constraint` naming the property) when a required constraint
   * (exact, min, max) cannot be met. Settings follow the ideal values within those bounds.
   */
  async getUserMedia (constraints?: MediaStreamConstraints): Promise<MediaStream> {
    if (constraints !== undefined && constraints !== null && typeof constraints !== 'object') {
      throw new TypeError("Failed to execute 'getUserMedia' on 'MediaDevices': The provided value is not of type 'MediaStreamConstraints'.")
    }
    const where = "Failed to execute 'getUserMedia' on 'MediaDevices'"
    const audio = trackConstraints(constraints?.audio, 'audio')
    const video = trackConstraints(constraints?.video, 'video')
    const audioCopy = audio === null ? null : copyConstraints(audio, where)
    const videoCopy = video === null ? null : copyConstraints(video, where)
    if (audio === null && video === null) {
      throw new TypeError("Failed to execute 'getUserMedia' on 'MediaDevices': At least one of audio and video must be requested")
    }
    // Both resolved before any track is made: a failure leaves nothing running.
    const audioSettings = audio !== null ? resolve(audio, AUDIO_DEVICE, AUDIO_DEFAULTS, 'audio') : null
    const videoSettings = video !== null ? resolve(video, VIDEO_DEVICE, VIDEO_DEFAULTS, 'video') : null
    const tracks: MediaStreamTrack[] = []
    if (audioSettings !== null) {
      const native = binding.createSyntheticAudioTrack({
        sampleRate: audioSettings.sampleRate!, channelCount: audioSettings.channelCount!
      })
      tracks.push(createTrack(native, { remote: false, label: AUDIO_LABEL, device: AUDIO_DEVICE, constraints: audioCopy! }))
    }
    if (videoSettings !== null) {
      const native = binding.createSyntheticVideoTrack({
        width: videoSettings.width!, height: videoSettings.height!, frameRate: videoSettings.frameRate!
      })
      tracks.push(createTrack(native, {
        remote: false, label: VIDEO_LABEL, device: VIDEO_DEVICE, constraints: videoCopy!, resizeMode: videoSettings.resizeMode ?? 'none'
      }))
    }
    return new MediaStream(tracks)
  }

  /** Screen capture needs a screen: NotSupportedError. */
  async getDisplayMedia (_options?: object): Promise<MediaStream> {
    throw new DOMException('getDisplayMedia is not supported: there is no screen to capture', 'NotSupportedError')
  }

  get [Symbol.toStringTag] (): string { return 'MediaDevices' }
}

defineEventHandlers(MediaDevices.prototype, ['devicechange'])

/** The synthetic devices of this environment. */
export const mediaDevices = new MediaDevices(INTERNAL)
