// RtpPacketHistory without the padding-priority set. M108 keeps, beside each sender's packet
// history, a std::set ordering the stored packets by how useful they would be as padding, and
// inserts into it (a tree walk with a comparator, plus an erase) for every RTP packet sent: 3.5 %
// of a relay's CPU at 100 subscribers (perf, bench/RESULTS.md "Session 17"). Later libwebrtc made
// the cheaper mode the default (field trial WebRTC-PaddingMode-RecentLargePacket, webrtc:15201):
// padding resends the most recent packet. M108 has the mode (enable_padding_prio false) but no
// setting that reaches it, so this constructor, replacing libtg_owt's (build.json
// tgowt_weaken_symbols), always picks it. Retransmissions (NACK) are unchanged.
#include "modules/rtp_rtcp/source/rtp_packet_history.h"

namespace webrtc {

RtpPacketHistory::RtpPacketHistory(Clock* clock, bool /*enable_padding_prio*/)
    : clock_(clock),
      enable_padding_prio_(false),
      number_to_store_(0),
      mode_(StorageMode::kDisabled),
      rtt_(TimeDelta::MinusInfinity()),
      packets_inserted_(0) {}

}  // namespace webrtc
