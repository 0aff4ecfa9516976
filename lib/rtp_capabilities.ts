// RTCRtpSender/RTCRtpReceiver.getCapabilities(kind) and the codec matching webrtc-pc uses for
// setCodecPreferences. libwebrtc answers from its factory; the answer never changes in a process.
import { binding, type NativeRtpCapabilities, type NativeRtpCodec } from './native'
import { domString } from './webidl'

export interface RTCRtpCodec {
  mimeType: string
  clockRate: number
  channels?: number
  sdpFmtpLine?: string
}
export interface RTCRtpHeaderExtensionCapability { uri: string }
export interface RTCRtpCapabilities {
  codecs: RTCRtpCodec[]
  headerExtensions: RTCRtpHeaderExtensionCapability[]
}

const cache = new Map<string, NativeRtpCapabilities | null>()

export function capabilities (kind: unknown, which: 'sender' | 'receiver'): RTCRtpCapabilities | null {
  const k = domString(kind, 'kind')
  if (k !== 'audio' && k !== 'video') return null
  const key = `${which}:${k}`
  if (!cache.has(key)) cache.set(key, binding.rtpCapabilities(k, which))
  const caps = cache.get(key)
  if (caps === null || caps === undefined) return null
  // A fresh copy every call: callers may change what they get.
  return {
    codecs: caps.codecs.map(c => toCodec(c)),
    headerExtensions: caps.headerExtensions.map(e => ({ uri: e.uri }))
  }
}

export function toCodec (c: NativeRtpCodec): RTCRtpCodec {
  const out: RTCRtpCodec = { mimeType: c.mimeType, clockRate: c.clockRate ?? 0 }
  if (c.channels !== undefined) out.channels = c.channels
  if (c.sdpFmtpLine !== undefined) out.sdpFmtpLine = c.sdpFmtpLine
  return out
}

/** webrtc-pc's codec dictionary match: mimeType case-insensitively, the rest exactly. */
export function codecsMatch (a: RTCRtpCodec, b: RTCRtpCodec): boolean {
  return a.mimeType.toLowerCase() === b.mimeType.toLowerCase() &&
    a.clockRate === b.clockRate &&
    (a.channels ?? undefined) === (b.channels ?? undefined) &&
    (a.sdpFmtpLine ?? '') === (b.sdpFmtpLine ?? '')
}
