// RTP forwarding for the relay (issue 17): a remote track sent on by other connections, forwarded
// packet by packet beside libwebrtc's send path, as an SFU does.
//
// libwebrtc's path for a relayed track (media/relay_video_source.h, media/audio_forward_route.h)
// runs every subscriber's pictures or Opus packets through a send stream of its own: frame
// handling, packetizer, pacer, packet history, a task per packet sent. At 100 subscribers that is
// ~17.7 µs of CPU per forwarded packet, ~4.5× node-datachannel's (bench/RESULTS.md "Session 17").
// Here the publisher's decrypted RTP is taken where its channel receives it
// (cricket::BaseChannel::OnRtpPacket, shims/rtp_forward_hooks.cc), and each packet is written
// again for every subscriber (SSRC, sequence number, timestamp, payload type, header extension ids:
// media/rtp_rewrite.h) and handed to that subscriber's SRTP transport, on its own shard thread.
//
// A subscriber's libwebrtc send stream stays as it is, with no media: its sender's own path is
// held shut by a ForwardGate while the forwarder sends for it. The stream's RTP module still
// does RTCP, with three hooks (shims/rtp_forward_hooks.cc) that consult the forwarder by SSRC:
// its sender reports carry the forwarded timestamps (RTCPSender), NACKs are answered from the
// publisher's packets kept here (RTPSender), keyframe requests go upstream, coalesced
// (EncoderRtcpFeedback).
//
// A sender is forwarded when: its transceiver has a channel, it has one active encoding with an
// SSRC and no scaling or rate limit, the track is enabled, neither the sender nor the publisher's
// receiver has the application's transform, and the sender's send codec (the first negotiated) has
// the name, rate, channels (H.264: profile and packetization mode; VP9: profile) of the codec the
// publisher sends. Video
// waits for a keyframe (VP8, VP9, H.264 only) and asks for one; none in 3 s, or any condition
// failing, opens the gate: the sender then sends what libwebrtc's path makes, as before.
//
// On by default; NODE_LIBWEBRTC_RTP_FORWARD=0 (read when a track is given to a sender) leaves every
// sender to libwebrtc's path, as does RTCConfiguration.forwardEncodedVideo: false.
// RED is unwrapped (libwebrtc wraps video in it when ULPFEC is negotiated) and FEC goes as padding:
// FEC protects the publisher's numbering, which the subscriber does not see.
// Not yet: simulcast publishers and publishers without a signaled SSRC (libwebrtc's path takes
// them), the sender's outbound-rtp counters (libwebrtc counts nothing it did not send), RTX
// (retransmissions go out on the media SSRC), the application's encoded transform on the sender.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "api/rtp_receiver_interface.h"
#include "api/rtp_sender_interface.h"
#include "api/units/timestamp.h"
#include "rtc_base/copy_on_write_buffer.h"
#include "media/forward_gate.h"
#include "rtc_base/thread.h"

namespace cricket {
class ChannelInterface;
}
namespace webrtc {
class RtpPacketReceived;
}

namespace nlw {

struct PeerConnectionShared;

// What a relayed track tells the forwarder about its publisher (MediaStreamTrack::TrackFor).
struct ForwardSource {
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver;
  std::weak_ptr<PeerConnectionShared> pc;
  rtc::Thread* thread = nullptr;  // the publisher's shard thread
  bool audio = false;
  // Video: asks the publisher for a keyframe (coalesced by the caller's source), any thread.
  std::function<void()> request_key_frame;
  // Audio: the relayed track is disabled (its senders then send silence), any thread.
  std::function<bool()> muted;
  std::shared_ptr<ForwardGate> gate;
};

// The forwarded stream's timing for its sender reports: the last RTP timestamp sent, when.
struct ForwardedClock {
  uint32_t rtp_timestamp = 0;
  webrtc::Timestamp time = webrtc::Timestamp::Zero();
  int8_t payload_type = 0;
};

class RtpForwarder {
 public:
  // Whether tracks given to senders from now on are forwarded (unless NODE_LIBWEBRTC_RTP_FORWARD=0).
  static bool Enabled();
  // JS thread. `sender` (of the connection `pc`, whose thread is `thread`) now sends the track of
  // `source`: forward it when possible. Replaces the sender's earlier binding; a null source
  // only ends it.
  static void Bind(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender, std::weak_ptr<PeerConnectionShared> pc,
                   rtc::Thread* thread, std::shared_ptr<ForwardSource> source);

  // Hooks (shims/rtp_forward_hooks.cc).
  // A publisher's channel, its network thread: a decrypted RTP packet it received. False: drop it
  // (NODE_LIBWEBRTC_TEST_RTP_LOSS, tests only).
  static bool OnReceived(const cricket::ChannelInterface* channel, const webrtc::RtpPacketReceived& packet);
  // A sender's RTP module (its thread): a NACK for `ssrc`. True if the forwarder answered it.
  static bool OnNack(uint32_t ssrc, const std::vector<uint16_t>& sequence_numbers);
  // A sender's RTCP feedback (its thread): a keyframe request for `ssrc`. True if forwarded.
  static bool OnKeyFrameRequest(uint32_t ssrc);
  // A sender's RTCP sender, under its lock: the forwarded stream's clock if `ssrc` is forwarded.
  static bool Clock(uint32_t ssrc, ForwardedClock* out);
  // One SSRC is sent on by two paths, the forwarder and libwebrtc's, one after the other (a track
  // replaced, a sender that stops forwarding). Each goes on from the other's sequence numbers on the
  // wire, or SRTP would refuse packets whose index went back (and the subscriber would see a jump).
  // libwebrtc's egress insists on numbers that follow one another, so its own numbering stays and
  // its packets are shifted on their way out.
  // RTP timestamps go on the same way (a receiver drops a keyframe with an older picture id unless
  // its timestamp is newer).
  // A sender's packet sequencer (its thread), after numbering a media packet of `ssrc` (its RTX
  // stream: `rtx_ssrc`, 0 if none) with `used`; `timestamp`: the packet's.
  static void NoteSequence(uint32_t ssrc, uint32_t rtx_ssrc, uint16_t used, uint32_t timestamp);
  // A sender's RTCP sender, under its lock: what to add to its timestamp offset (libwebrtc's
  // packets of `ssrc` are shifted by that much more since the last call), so that its sender
  // reports map the timestamps on the wire.
  static uint32_t TakeReportShift(uint32_t ssrc);
  // A channel's network thread: an RTP packet of libwebrtc's path on its way to SRTP, shifted.
  static void OnSending(rtc::CopyOnWriteBuffer* packet);
  // The shift of `ssrc` (a NACK of libwebrtc's packets names them by their numbers on the wire).
  static uint16_t WireDelta(uint32_t ssrc);

  // What the forwarder sent on `ssrc` (its outbound-rtp adds these to libwebrtc's). False if the
  // forwarder never numbered that SSRC.
  struct SentCounts {
    uint64_t packets = 0, payload_bytes = 0, header_bytes = 0, frames = 0, key_frames = 0;
    uint64_t resent_packets = 0, resent_bytes = 0;
    bool forwarding = false;
  };
  static bool Sent(uint32_t ssrc, SentCounts* out);

  // Process-wide counters (nonstandard.relayCounters()).
  static uint64_t forwarded_packets();
  static uint64_t resent_packets();
  static uint64_t forwarding_senders();  // senders forwarding now
};

}  // namespace nlw
