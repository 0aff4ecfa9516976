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
  if (!nlw::RtpForwarder::OnReceived(this, parsed_packet)) return;
  const webrtc::Timestamp arrival = parsed_packet.arrival_time();
  media_channel_->OnPacketReceived(parsed_packet.Buffer(), arrival.IsMinusInfinity() ? -1 : arrival.us());
}

// libwebrtc's RTP on its way to SRTP: an SSRC the forwarder also sends on goes on from its numbers
// (nlw::RtpForwarder::OnSending). The thunk for the NetworkInterface base jumps straight into
// M108's SendPacket(bool, ...), so it is replaced as well (this definition emits ours).
bool BaseChannel::SendPacket(rtc::CopyOnWriteBuffer* packet, const rtc::PacketOptions& options) {
  nlw::RtpForwarder::OnSending(packet);
  return SendPacket(false, packet, options);
}

// A sent packet's report (network thread), from the socket up through ICE, DTLS and the RTP
// transport. The media channel passes it to the call, whose transport controller posts a task for
// each (bench/RESULTS.md "Session 18": ~8 % of a forwarding relay's CPU). A packet with no
// transport-wide sequence number that counts neither for feedback nor for the bandwidth allocation
// (libwebrtc's own audio without transport-wide feedback; the forwarder's raise no report at all:
// runtime/quiet_sends.h) tells that controller nothing: it stops here.
void BaseChannel::SignalSentPacket_n(const rtc::SentPacket& sent_packet) {
  RTC_DCHECK_RUN_ON(network_thread());
  if (sent_packet.packet_id == -1 && !sent_packet.info.included_in_feedback && !sent_packet.info.included_in_allocation)
    return;
  media_channel()->OnPacketSent(sent_packet);
}

}  // namespace cricket

namespace webrtc {

// A NACK from the subscriber of a forwarded stream: the forwarder resends from the publisher's
// packets (this sender's history never had them).
void RTPSender::OnReceivedNack(const std::vector<uint16_t>& nack_sequence_numbers, int64_t avg_rtt) {
  if (nlw::RtpForwarder::OnNack(ssrc_, nack_sequence_numbers)) return;
  packet_history_->SetRtt(TimeDelta::Millis(5 + avg_rtt));
  // Numbers on the wire; this sender's history knows its own (nlw::RtpForwarder::OnSending).
  const uint16_t shift = nlw::RtpForwarder::WireDelta(ssrc_);
  for (uint16_t sequence : nack_sequence_numbers) {
    if (ReSendPacket(static_cast<uint16_t>(sequence - shift)) < 0) {
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
  RTCPSender* self = const_cast<RTCPSender*>(this);  // under the lock, as SetLastRtpTime would
  // libwebrtc's own packets shifted on the wire (after the forwarder sent): its reports too.
  self->timestamp_offset_ += nlw::RtpForwarder::TakeReportShift(ssrc_);
  nlw::ForwardedClock forwarded;
  if (nlw::RtpForwarder::Clock(ssrc_, &forwarded)) {
    self->last_rtp_timestamp_ = forwarded.rtp_timestamp - timestamp_offset_;
    self->last_frame_capture_time_ = forwarded.time;
    self->last_payload_type_ = forwarded.payload_type;
  }
  if (method_ == RtcpMode::kOff) return false;
  // Video keyframes: the report goes 100 ms early (M108's RTCP_SEND_BEFORE_KEY_FRAME).
  if (!audio_ && sendKeyframeBeforeRTP) now += TimeDelta::Millis(100);
  return now >= *next_time_to_send_rtcp_;
}

// A sender's media packets are numbered here (M108's body, then the forwarder is told the number):
// the forwarder goes on from libwebrtc's numbers, and libwebrtc's packets from the forwarder's.
void PacketSequencer::Sequence(RtpPacketToSend& packet) {
  if (packet.Ssrc() == media_ssrc_) {
    if (packet.packet_type() == RtpPacketMediaType::kRetransmission) return;  // numbered before
    if (packet.packet_type() == RtpPacketMediaType::kPadding) PopulatePaddingFields(packet);
    packet.SetSequenceNumber(media_sequence_number_++);
    if (packet.packet_type() != RtpPacketMediaType::kPadding) UpdateLastPacketState(packet);
    nlw::RtpForwarder::NoteSequence(media_ssrc_, rtx_ssrc_.value_or(0), packet.SequenceNumber(), packet.Timestamp());
  } else if (packet.Ssrc() == rtx_ssrc_) {
    if (packet.packet_type() == RtpPacketMediaType::kPadding) PopulatePaddingFields(packet);
    packet.SetSequenceNumber(rtx_sequence_number_++);
  } else {
    RTC_DCHECK_NOTREACHED() << "Unexpected ssrc " << packet.Ssrc();
  }
}

}  // namespace webrtc
