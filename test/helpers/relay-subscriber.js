'use strict'
// A subscriber of a relay's track, as the relay tests and bench/simulcast make them.
const { once, trickledPeers } = require('./pair')

/** The answer's video section with a b=AS bandwidth line (the subscriber's estimate, as the relay sees it). */
function withVideoBandwidth (sdp, kbps) {
  return sdp.replace(/(m=video[^\r\n]*\r\n(?:[^m][^\r\n]*\r\n)*?c=[^\r\n]*\r\n)/, `$1b=AS:${kbps}\r\n`)
}

/**
 * A connected pair whose `a` (the relay's side) sends `track` to `b`; the relay applies b's answer
 * with b=AS:`kbps` when `kbps` is a number. Resolves { sub, track: b's remote track }.
 */
async function subscribe (track, kbps) {
  const sub = trickledPeers()
  sub.a.addTrack(track)
  const remote = once(sub.b, 'track').then(e => e.track)
  await sub.a.setLocalDescription()
  await sub.b.setRemoteDescription(sub.a.localDescription)
  await sub.b.setLocalDescription()
  const sdp = sub.b.localDescription.sdp
  await sub.a.setRemoteDescription({ type: 'answer', sdp: typeof kbps === 'number' ? withVideoBandwidth(sdp, kbps) : sdp })
  return { sub, track: await remote }
}

module.exports = { withVideoBandwidth, subscribe }
