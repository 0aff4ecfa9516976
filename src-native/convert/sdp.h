// Session descriptions and ICE candidates as plain values: read on the signaling thread (the only
// thread where libwebrtc's description pointers are safe), turned into JS on the JS thread.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "api/jsep.h"
#include "api/peer_connection_interface.h"

namespace nlw {

// The m= line of a parsed description that libwebrtc M110 cannot serialize, or "": a media type it
// does not know with an SCTP protocol ("m=foo 9 UDP/DTLS/SCTP ..."). It parses such a line, then
// dereferences a null pointer in SdpSerialize (the SCTP branch takes the content for a data
// section): one offer from a remote peer would crash the process. Found by the sanitizer run
// (docs/sanitizers.md); newer libwebrtc ignores such sections when serializing.
std::string UnserializableMediaSection(const webrtc::SessionDescriptionInterface& d);

// Why SdpSerialize would abort on this parsed description, or "": an audio section whose codecs'
// smallest maxptime (a=maxptime, or fmtp maxptime) is not above their largest fmtp minptime trips
// RTC_DCHECK(min_maxptime > max_minptime) in M108's BuildRtpMap (live in Debian's build). A remote
// offer with "a=maxptime:0" was enough to abort the answerer (test/hostile/sdp-media-fuzz).
std::string PtimeConflict(const webrtc::SessionDescriptionInterface& d);

// Why starting SCTP would abort on this parsed description, or "": M108 parses a=max-message-size
// into an int, negative values included, and hands min(local, remote) to dcsctp, whose
// RTC_DCHECK(max_message_size > 0) is live in Debian's build. A remote offer with
// "a=max-message-size:-1" aborted the answerer (test/hostile/fuzz.test.js, NLW_FUZZ_SEED=1537227732).
std::string NegativeMaxMessageSize(const webrtc::SessionDescriptionInterface& d);

struct DescriptionValue {
  std::string type;
  std::string sdp;
  static std::optional<DescriptionValue> From(const webrtc::SessionDescriptionInterface* d);
};

// Everything JS caches about negotiation, taken in one go on the signaling thread so that the
// attributes JS reads change together, in the task that resolves the promise.
struct SignalingSnapshot {
  std::string signaling_state;
  std::optional<DescriptionValue> current_local, pending_local, current_remote, pending_remote;
  bool can_trickle_known = false;
  bool can_trickle = false;
  bool has_sctp = false;
  double seq = 0;  // taken in this order on the signaling thread; JS drops older ones
  // `has_sctp`: whether libwebrtc has an SCTP transport (the caller knows; see
  // PeerConnectionShared::RefreshSctp).
  static SignalingSnapshot Take(webrtc::PeerConnectionInterface* pc, uint64_t seq, bool has_sctp);
  Napi::Object ToJs(Napi::Env env) const;
};

struct CandidateValue {
  std::string candidate;  // "candidate:..." (no "a=")
  std::string sdp_mid;
  int sdp_mline_index = -1;
  std::string username_fragment;
  static CandidateValue From(const webrtc::IceCandidateInterface* c);
  Napi::Object ToJs(Napi::Env env) const;
};

}  // namespace nlw
