// getStats: one request to libwebrtc's stats collector. libwebrtc delivers the report on the
// signaling thread; it is turned into a StatsReportValue there (with the data channel counters of
// our direct send path added in), crosses the dispatcher once, and settles the promise.
#pragma once

#include <napi.h>

#include <memory>

#include "api/peer_connection_interface.h"

namespace nlw {

struct PeerConnectionShared;

enum class StatsSelector { kNone, kSender, kReceiver };

// Signaling thread: asks `pc` for the report of the whole connection (transceiver null) or of
// the sender or receiver of `transceiver`, and resolves `deferred` with an array of stats objects
// whose times are `time_origin_ms`-based.
void RequestStats(const std::shared_ptr<PeerConnectionShared>& shared, webrtc::PeerConnectionInterface* pc,
                  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver, StatsSelector selector,
                  Napi::Promise::Deferred deferred, double time_origin_ms);

}  // namespace nlw
