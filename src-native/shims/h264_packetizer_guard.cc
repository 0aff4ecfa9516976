// libwebrtc M108's H.264 packetizer splits an encoded frame at its Annex B start codes and
// packetizes every piece; a piece of zero bytes (two start codes in a row, or one at the very end)
// trips RTC_DCHECK_GT(fragment.size(), 0) in rtp_format_h264.cc, which Debian's libtg_owt keeps
// live (DCHECK_ALWAYS_ON): the sending process aborts. An encoded transform can write such a
// frame (found by test/hostile/media-fuzz), and the relay forwards frames a remote publisher made.
// The build weakens M108's constructor in our copy of the archive (build.json
// tgowt_weaken_symbols); this one is the same but leaves the empty pieces out.
#include "common_video/h264/h264_common.h"
#include "modules/rtp_rtcp/source/rtp_format_h264.h"
#include "rtc_base/checks.h"

namespace webrtc {

RtpPacketizerH264::RtpPacketizerH264(rtc::ArrayView<const uint8_t> payload, PayloadSizeLimits limits,
                                     H264PacketizationMode packetization_mode)
    : limits_(limits), num_packets_left_(0) {
  // As in M108: a mode outside the enum is memory gone wrong, not input.
  RTC_CHECK(packetization_mode == H264PacketizationMode::NonInterleaved ||
            packetization_mode == H264PacketizationMode::SingleNalUnit);
  for (const H264::NaluIndex& nalu : H264::FindNaluIndices(payload.data(), payload.size())) {
    if (nalu.payload_size == 0) continue;  // ours: nothing to send, and M108 aborts on it
    input_fragments_.push_back(payload.subview(nalu.payload_start_offset, nalu.payload_size));
  }
  if (!GeneratePackets(packetization_mode)) {
    // Nothing half-made for a caller that sends anyway.
    num_packets_left_ = 0;
    while (!packets_.empty()) packets_.pop();
  }
}

}  // namespace webrtc
