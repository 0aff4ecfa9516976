// Non-standard extras, kept apart from the spec surface.
import { binding, type LiveObjects, type RelayCounters } from './native'
import { droppedFrames } from './MediaStreamTrackProcessor'
import { type RTCCertificate, type RTCCertificatePem, exportCertificate, importCertificate } from './RTCCertificate'
import { registerIdentityProvider, setIdentityProviderOptions } from './identity'
import { RTCAudioSink, RTCVideoSink } from './track_sinks'
import { RTCAudioSource, RTCVideoSource, i420ToRgba, rgbaToI420 } from './track_sources'

export const nonstandard = {
  /** A sink on a video track: onframe gets the newest decoded frame (I420), see track_sinks.ts. */
  RTCVideoSink,
  /** A sink on an audio track: ondata gets every 10 ms of 16-bit PCM, see track_sinks.ts. */
  RTCAudioSink,
  /** A video source fed from JS: createTrack(), onFrame({ width, height, data }), see track_sources.ts. */
  RTCVideoSource,
  /** An audio source fed from JS: createTrack(), onData({ samples, sampleRate, ... }), see track_sources.ts. */
  RTCAudioSource,
  /** I420 -> RGBA into a second frame of the same size (libyuv). */
  i420ToRgba,
  /** RGBA -> I420 into a second frame of the same size (libyuv). */
  rgbaToI420,
  /** How many frames (or 10 ms audio chunks) a MediaStreamTrackProcessor dropped because its reader was behind. */
  droppedFrames,
  /**
   * The PEM private key (PKCS #8) and certificate of an RTCCertificate: store them to keep a stable
   * DTLS identity (and SDP fingerprint) across restarts, or to hand a certificate to a Worker.
   * Treat `privateKey` as a secret.
   */
  exportCertificate (certificate: RTCCertificate): RTCCertificatePem { return exportCertificate(certificate) },
  /**
   * An RTCCertificate from exportCertificate's PEM (or any ECDSA P-256 / RSA key and its X.509
   * certificate). TypeError for non-strings, DataError for unreadable PEM or a key that does not
   * belong to the certificate, NotSupportedError for other key types.
   */
  importCertificate (pem: RTCCertificatePem): RTCCertificate { return importCertificate(pem) },
  /**
   * An identity provider given by code for (domain, protocol), used instead of loading
   * https://<domain>/.well-known/idp-proxy/<protocol> (both for setIdentityProvider and for
   * validating assertions that name it). `null` removes it. This environment (thread) only.
   */
  registerIdentityProvider,
  /**
   * Extra CA certificates (PEM) trusted when IdP proxies are loaded over HTTPS, on top of Node's
   * default trust (never a way to skip verification); `timeout` (ms, default 10,000) for loads and
   * IdP calls. This environment (thread) only.
   */
  setIdentityProviderOptions,
  /** Which libwebrtc this binary carries. */
  versions (): { libwebrtc: string, napi: number } { return binding.versions() },
  /**
   * Stops libwebrtc's threads for this environment now. Every open connection ends. Normally
   * not needed: it happens by itself when the environment (thread or process) exits.
   */
  shutdown (): void { binding.shutdown() },
  /**
   * How many peer connections and data channels of this environment (thread) still hold
   * libwebrtc resources. close() releases a connection at once; one dropped without close() is
   * released when it is garbage-collected; a channel is released when it reaches 'closed', with
   * its wrapper (GC), or when the environment shuts down. `rtpTransceivers` and `mediaStreamTracks`
   * count native transceivers (with their sender and receiver) and tracks: released when their
   * wrappers are collected or the environment shuts down (close() and stop() end them at once but
   * keep the wrapper's handle). `libwebrtcPeerConnections` counts the
   * process's libwebrtc connections not yet destroyed (that happens on libwebrtc's signaling
   * thread shortly after close(); one whose DTLS handshake failed is never destroyed, see the
   * README). `longTimers` counts this environment's libwebrtc timers of 10 s or more still queued
   * on its network threads; those of closed connections are dropped shortly after the close. For
   * leak checks and tests.
   */
  liveObjects (): LiveObjects { return binding.liveObjects() },
  /**
   * Process-wide counters of the relay (README "Relaying media"): pictures forwarded unchanged,
   * pictures encoded (by any sender), relayed pictures encoded because they could not be
   * forwarded, relayed pictures dropped while waiting for a keyframe, and keyframe requests sent
   * upstream. For tests and benchmarks.
   */
  relayCounters (): RelayCounters { return binding.relayCounters() },
  /**
   * Hands libwebrtc's own log lines at `level` and above to `sink(severity, line)` on this
   * thread, in batches (libwebrtc's threads only queue them). `setLogSink(null)` or level 'none'
   * stops it. Independent of `NODE_LIBWEBRTC_LOG`, which writes to stderr.
   */
  setLogSink (level: LogSeverity | null, sink?: ((severity: LogSeverity, line: string) => void) | null): void {
    if (level === null || sink === null || sink === undefined) {
      binding.setLogSink('none', null)
      return
    }
    if (typeof sink !== 'function') throw new TypeError('setLogSink: the sink must be a function')
    if (!['verbose', 'info', 'warning', 'error', 'none'].includes(level)) {
      throw new TypeError("setLogSink: level must be 'verbose', 'info', 'warning', 'error' or 'none'")
    }
    binding.setLogSink(level, sink)
  }
}

export type LogSeverity = 'verbose' | 'info' | 'warning' | 'error' | 'none'
