// libwebrtc M108 lists audio/red twice in a description it makes when a transceiver's codec
// preferences put RED after its primary codec (it inserts RED after Opus, then again where the
// list has it), and then refuses to apply that description itself ("Failed to set local audio
// description recv parameters"): `setCodecPreferences(getCapabilities('audio').codecs)` followed
// by `setLocalDescription()` failed. The transceivers whose preferences do that are kept here;
// the connection then applies the description createOffer/createAnswer made (RED listed once,
// src-native/wrap/peer_connection.cc) instead of letting libwebrtc make and apply its own.

export const redTwice = new WeakSet<object>()

/** Whether a preference list has audio/red after a codec RED can protect. */
export function listsRedAfterPrimary (mimeTypes: string[]): boolean {
  const types = mimeTypes.map(m => m.toLowerCase())
  const red = types.lastIndexOf('audio/red')
  return red > 0 && types.slice(0, red).some(t => t !== 'audio/red')
}
