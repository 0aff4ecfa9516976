// The NetEq of every remote audio stream: libwebrtc's, with its DTMF buffer replaced by one that
// plays late events instead of dropping them (media/late_dtmf_buffer.h).
#pragma once

#include <memory>

#include "api/neteq/neteq_factory.h"

namespace nlw {

std::unique_ptr<webrtc::NetEqFactory> CreateNetEqFactory();

}  // namespace nlw
