// Where RTP forwarding (media/rtp_forwarder.h) meets libwebrtc M108. Each definition here replaces
// libtg_owt's (build.json tgowt_weaken_symbols), does what M108's does, and first asks the
// forwarder; while nothing is forwarded the forwarder answers from one atomic read or one map
// lookup. A libtg_owt update must check these bodies against its own.
#include <vector>

#include "media/rtp_forwarder.h"
#include "modules/rtp_rtcp/source/packet_sequencer.h"
#include "modules/rtp_rtcp/source/rtcp_sender.h"
#include "modules/rtp_rtcp/source/rtp_sender.h"
#include "pc/channel.h"
#include "rtc_base/logging.h"
#include "video/encoder_rtcp_feedback.h"

namespace cricket {

// The channel's receive path (network thread): the forwarder sees each decrypted packet, then the
// media channel gets it as before. M108's thunk for the RtpPacketSinkInterface base jumps straight
// into its own definition, so it is replaced as well (this definition emits ours).
void BaseChannel::OnRtpPacket(const webrtc::RtpPacketReceived& parsed_packet) {
  RTC_DCHECK_RUN_ON(network_thread());
  if (on_first_packet_received_) {
    on_first_packet_received_();
    on_first_packet_received_ = nullptr;
  }
  // Packets before SRTP is set up cannot have been decrypted (M108 logs and drops them too).
  if (!srtp_active() && srtp_required_) {
    RTC_LOG(LS_WARNING) << "Dropping an RTP packet received before SRTP is active " << ToString();
    return;
  }
  nlw::RtpForwarder::OnReceived(this, parsed_packet);
  const webrtc::Timestamp arrival = parsed_packet.arrival_time();
  media_channel_->OnPacketReceived(parsed_packet.Buffer(), arrival.IsMinusInfinity() ? -1 : arrival.us());
}

}  // namespace cricket

namespace webrtc {

// A NACK from the subscriber of a forwarded stream: the forwarder resends from the publisher's
// packets (this sender's history never had them).
void RTPSender::OnReceivedNack(const std::vector<uint16_t>& nack_sequence_numbers, int64_t avg_rtt) {
  if (nlw::RtpForwarder::OnNack(ssrc_, nack_sequence_numbers)) return;
  packet_history_->SetRtt(TimeDelta::Millis(5 + avg_rtt));
  for (uint16_t sequence : nack_sequence_numbers) {
    if (ReSendPacket(sequence) < 0) {
      RTC_LOG(LS_WARNING) << "Failed resending RTP packet " << sequence << ", discarding the rest of the NACK.";
      break;
    }
  }
}

// A keyframe request (PLI, FIR) for a forwarded stream goes upstream; the encoder, which is given
// no pictures while the stream is forwarded, would keep it unanswered.
void EncoderRtcpFeedback::OnReceivedIntraFrameRequest(uint32_t ssrc) {
  RTC_DCHECK_RUN_ON(&packet_delivery_queue_);
  if (nlw::RtpForwarder::OnKeyFrameRequest(ssrc)) return;
  const Timestamp now = clock_->CurrentTime();
  if (time_last_packet_delivery_queue_ + min_keyframe_send_interval_ > now) return;
  time_last_packet_delivery_queue_ = now;
  video_stream_encoder_->SendKeyFrame();  // every stream of the encoder
}

// Asked before each scheduled report: a forwarded stream's sender reports map its RTP timestamps
// (the forwarder's, not this module's) to the time they were sent. Without a frame of its own the
// module would send no report at all.
bool RTCPSender::TimeToSendRTCPReport(bool sendKeyframeBeforeRTP) const {
  Timestamp now = clock_->CurrentTime();
  MutexLock lock(&mutex_rtcp_sender_);
  nlw::ForwardedClock forwarded;
  if (nlw::RtpForwarder::Clock(ssrc_, &forwarded)) {
    RTCPSender* self = const_cast<RTCPSender*>(this);  // under the lock, as SetLastRtpTime would
    self->last_rtp_timestamp_ = forwarded.rtp_timestamp - timestamp_offset_;
    self->last_frame_capture_time_ = forwarded.time;
    self->last_payload_type_ = forwarded.payload_type;
  }
  if (method_ == RtcpMode::kOff) return false;
  // Video keyframes: the report goes 100 ms early (M108's RTCP_SEND_BEFORE_KEY_FRAME).
  if (!audio_ && sendKeyframeBeforeRTP) now += TimeDelta::Millis(100);
  return now >= *next_time_to_send_rtcp_;
}

// A sender's media packets are numbered here (M108's body with the forwarder's two calls): a
// stream that the forwarder sent last goes on from its numbers, and the forwarder from ours.
void PacketSequencer::Sequence(RtpPacketToSend& packet) {
  if (packet.Ssrc() == media_ssrc_) {
    if (packet.packet_type() == RtpPacketMediaType::kRetransmission) return;  // numbered before
    uint16_t next;
    if (nlw::RtpForwarder::TakeSequence(media_ssrc_, &next)) media_sequence_number_ = next;
    if (packet.packet_type() == RtpPacketMediaType::kPadding) PopulatePaddingFields(packet);
    packet.SetSequenceNumber(media_sequence_number_++);
    if (packet.packet_type() != RtpPacketMediaType::kPadding) UpdateLastPacketState(packet);
    nlw::RtpForwarder::NoteSequence(media_ssrc_, packet.SequenceNumber());
  } else if (packet.Ssrc() == rtx_ssrc_) {
    if (packet.packet_type() == RtpPacketMediaType::kPadding) PopulatePaddingFields(packet);
    packet.SetSequenceNumber(rtx_sequence_number_++);
  } else {
    RTC_DCHECK_NOTREACHED() << "Unexpected ssrc " << packet.Ssrc();
  }
}

}  // namespace webrtc
