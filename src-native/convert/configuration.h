// RTCConfiguration (already validated and normalized by lib/configuration.ts) -> libwebrtc.
#pragma once

#include <napi.h>

#include "api/peer_connection_interface.h"
#include "runtime/network_filter.h"

namespace nlw {

// Reads the normalized JS configuration (lib/configuration.ts validated it; libwebrtc's own
// objections come from CreatePeerConnection/SetConfiguration). `policy` may be null.
void ConfigurationFromJs(Napi::Object js, webrtc::PeerConnectionInterface::RTCConfiguration* out,
                         NetworkPolicy* policy);

// Non-standard forwardEncodedVideo (lib/configuration.ts): true unless false.
bool ForwardEncodedVideoFromJs(Napi::Object js);

}  // namespace nlw
