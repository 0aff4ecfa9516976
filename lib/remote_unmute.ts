import type { MediaStreamTrack } from './MediaStreamTrack'
import { setTrackMuted } from './MediaStreamTrack'
import type { NativeRtpTransceiver } from './native'

/**
 * Unmutes a remote track that was muted by negotiation (its transceiver stopped receiving) once
 * packets flow again. libwebrtc reports a receiver's first packet only once in its life, so after
 * that we watch the receiver's synchronization sources, which record when the last packet of each
 * SSRC was played out. Polls back off from 50 ms to 500 ms and stop when the track unmutes or ends.
 */
export function unmuteWhenMediaFlows (native: NativeRtpTransceiver, track: MediaStreamTrack, closed: () => boolean): void {
  const since = performance.now()
  let delay = 50
  const poll = (): void => {
    if (closed() || !track.muted || track.readyState === 'ended') return
    const waited = performance.now() - since
    const fresh = native.sources('ssrc').some(s => s.ageMs < waited)
    if (fresh) { setTrackMuted(track, false); return }
    delay = Math.min(delay * 2, 500)
    setTimeout(poll, delay).unref()
  }
  setTimeout(poll, delay).unref()
}
