import type { MediaStreamTrack } from './MediaStreamTrack'
import { setTrackMuted } from './MediaStreamTrack'
import type { NativeRtpTransceiver } from './native'

/**
 * Unmutes a remote track that was muted by negotiation (its transceiver stopped receiving) once
 * packets flow again. libwebrtc reports a receiver's first packet only once in its life, so after
 * that we watch the receiver's synchronization sources, which record when the last packet of each
 * SSRC was played out. Polls back off from 50 ms to 500 ms and stop when the track unmutes or ends.
 * Remote audio is played out (decoded) only while something reads it: an audio receiver is
 * watched (decoded) while the poll runs.
 */
// Polls running per audio receiver (negotiations may start one while another runs).
const watching = new WeakMap<NativeRtpTransceiver, number>()
function watch (native: NativeRtpTransceiver, by: number): void {
  const n = (watching.get(native) ?? 0) + by
  watching.set(native, n)
  if (n === (by > 0 ? 1 : 0)) native.watchAudio(n > 0)
}

export function unmuteWhenMediaFlows (native: NativeRtpTransceiver, track: MediaStreamTrack, closed: () => boolean): void {
  const since = performance.now()
  let delay = 50
  const audio = track.kind === 'audio'
  let watched = false
  if (audio) { watch(native, +1); watched = true }
  const done = (): void => {
    if (watched && !closed()) watch(native, -1)
    watched = false
  }
  const poll = (): void => {
    if (closed() || !track.muted || track.readyState === 'ended') { done(); return }
    const waited = performance.now() - since
    const fresh = native.sources('ssrc').some(s => s.ageMs < waited)
    if (fresh) { done(); setTrackMuted(track, false); return }
    delay = Math.min(delay * 2, 500)
    setTimeout(poll, delay).unref()
  }
  setTimeout(poll, delay).unref()
}
