// RTCConfiguration (already validated and normalized by lib/configuration.ts) -> libwebrtc.
#pragma once

#include <napi.h>

#include "api/peer_connection_interface.h"
#include "convert/errors.h"
#include "runtime/network_filter.h"

namespace nlw {

// Reads the normalized JS configuration. On a libwebrtc-level rejection returns false with
// `error` set; JS-shape problems were caught in TypeScript.
bool ConfigurationFromJs(Napi::Object js, webrtc::PeerConnectionInterface::RTCConfiguration* out,
                         NetworkPolicy* policy, ErrorValue* error);

}  // namespace nlw
