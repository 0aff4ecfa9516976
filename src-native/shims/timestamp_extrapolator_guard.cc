// libwebrtc M108's video receiver estimates when a frame's RTP timestamp was "due" locally
// (TimestampExtrapolator: a linear fit of arrival time against RTP time). When arrivals are badly
// delayed (a starved machine: CI with the sanitizers, an overloaded relay), the fit can extrapolate
// to a time before the clock's zero, and building that negative Timestamp trips a DCHECK, which
// Debian's libtg_owt keeps on (DCHECK_ALWAYS_ON): the whole process aborts ("Check failed:
// value >= 0" in unit_base.h, seen in test/reliability/exit.test.js under load). Later libwebrtc
// returns "no estimate" in that case, and its caller (VCMTiming) then uses the current time.
// The build weakens M108's definition in our copy of the archive (build.json
// tgowt_weaken_symbols); this one computes the same estimate with that guard.
#include <cmath>
#include <cstdint>

#include "modules/video_coding/timing/timestamp_extrapolator.h"

namespace webrtc {

namespace {
// As in M108: the first packets (until the fit has two points) extrapolate from the last arrival.
constexpr uint32_t kStartUpPackets = 2;
constexpr double kRtpTicksPerMs = 90.0;
}  // namespace

absl::optional<Timestamp> TimestampExtrapolator::ExtrapolateLocalTime(uint32_t ts90khz) const {
  if (!first_unwrapped_timestamp_ || !prev_unwrapped_timestamp_) return absl::nullopt;
  const int64_t ticks = unwrapper_.UnwrapWithoutUpdate(ts90khz);
  double local_us;
  if (packet_count_ < kStartUpPackets) {
    local_us = static_cast<double>(prev_.us()) +
               static_cast<double>(ticks - *prev_unwrapped_timestamp_) / kRtpTicksPerMs * 1000.0;
  } else if (w_[0] < 1e-3) {
    return start_;
  } else {
    // The fit: ticks since the first packet = w_[0] * ms since start_ + w_[1]; solved for the time.
    const double ms = (static_cast<double>(ticks - *first_unwrapped_timestamp_) - w_[1]) / w_[0];
    local_us = static_cast<double>(start_.us()) + std::floor(ms + 0.5) * 1000.0;
  }
  // Negative, or beyond what a Timestamp holds: no estimate (the caller falls back to now).
  if (!(local_us >= 0.0 && local_us < 9.0e18)) return absl::nullopt;
  return Timestamp::Micros(static_cast<int64_t>(local_us));
}

}  // namespace webrtc
