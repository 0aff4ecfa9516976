// `require('node-libwebrtc/polyfill')` / `import 'node-libwebrtc/polyfill'`: defines the WebRTC and
// media-capture globals a browser has, where they are missing, so browser code and browser test
// suites run unchanged. Never replaces what exists (another polyfill, or a runtime that has them).
import * as api from './index'

const GLOBALS = [
  'RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'RTCDataChannel', 'RTCSctpTransport',
  'RTCDtlsTransport', 'RTCIceTransport', 'RTCCertificate', 'RTCIdentityAssertion', 'RTCRtpTransceiver', 'RTCRtpSender', 'RTCRtpReceiver',
  'RTCPeerConnectionIceEvent', 'RTCPeerConnectionIceErrorEvent', 'RTCDataChannelEvent', 'RTCTrackEvent',
  'RTCErrorEvent', 'RTCError', 'RTCStatsReport', 'MediaStream', 'MediaStreamTrack', 'MediaStreamTrackEvent', 'OverconstrainedError',
  'VideoFrame', 'VideoColorSpace', 'AudioData', 'MediaStreamTrackProcessor', 'VideoTrackGenerator', 'MediaStreamTrackGenerator',
  'RTCRtpScriptTransform', 'RTCRtpScriptTransformer', 'RTCEncodedVideoFrame', 'RTCEncodedAudioFrame', 'RTCTransformEvent',
  'RTCDTMFSender', 'RTCDTMFToneChangeEvent', 'MediaStreamEvent'
] as const

/** The names this call defined (for tests and for code that wants to know). */
export const defined: string[] = []

const g = globalThis as Record<string, unknown>
const exported = api as unknown as Record<string, unknown>
for (const name of GLOBALS) {
  if (g[name] !== undefined || exported[name] === undefined) continue
  Object.defineProperty(g, name, { value: exported[name], writable: true, configurable: true, enumerable: false })
  defined.push(name)
}

// navigator: Node 21+ has one (without mediaDevices); older Node has none.
const nav = g.navigator as Record<string, unknown> | undefined
if (nav === undefined) {
  Object.defineProperty(g, 'navigator', {
    value: { mediaDevices: api.mediaDevices }, writable: true, configurable: true, enumerable: false
  })
  defined.push('navigator')
} else if (nav.mediaDevices === undefined) {
  Object.defineProperty(nav, 'mediaDevices', { value: api.mediaDevices, writable: true, configurable: true, enumerable: true })
  defined.push('navigator.mediaDevices')
}
