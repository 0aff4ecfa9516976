// libwebrtc M108 keeps the data m-section's MID after a rollback: SdpOfferAnswerHandler::Rollback
// never resets it (later libwebrtc does). So once the description that brought the data section
// is rolled back, every later offer of the peer lacks its data section (the MID is "in use"), and
// a remote offer whose data section has another MID gets it rejected. This restores what a
// browser does, from outside libwebrtc: the MID is forgotten once no description has it. (An
// implicit rollback needs nothing: the remote offer's data section sets the MID anew.)
#pragma once

namespace webrtc {
class PeerConnectionInterface;
}

namespace nlw {

// Signaling thread. Forgets the data MID when no description (current or pending, local or
// remote) has a section of that MID any more: the one that brought it was rolled back.
void ForgetRolledBackDataMid(webrtc::PeerConnectionInterface* pc);

}  // namespace nlw
