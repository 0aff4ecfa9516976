// Session descriptions and ICE candidates as plain values: read on the signaling thread (the only
// thread where libwebrtc's description pointers are safe), turned into JS on the JS thread.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "api/jsep.h"
#include "api/peer_connection_interface.h"

namespace nlw {

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
  static SignalingSnapshot Take(webrtc::PeerConnectionInterface* pc, uint64_t seq);
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
