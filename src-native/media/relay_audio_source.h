// The relay's side of a remote audio track sent on to other connections (issue 17): forwarded Opus.
//
// libwebrtc M108's audio send path hands its encoder 10 ms of PCM and nothing else. To send the
// publisher's Opus packets unchanged: a receive-side frame transformer on the publisher's receiver
// (OpusReceiveTap) keeps each Opus packet (OpusPacketRing) and lets it go on to the decoder; each
// sender of the track gets a track of its own over a RelayAudioFeed, and for each packet the feed
// pushes that packet's length of 10 ms chunks (48 kHz mono, not decoded) to the sender, which
// drives its encoder at the publisher's pace. The chunks are silent but for the packet's audio
// level (its ssrc-audio-level header extension), which the sender measures again and writes in
// the forwarded packets' extension (media/audio_level_chunks.h). The sender's Opus encoder stands in (one dummy
// byte per packet, no libopus work) and its send-side transformer puts the publisher's packet in
// its place (media/audio_forward_route.h, media/relayed_opus_encoder.h).
//
// A feed whose sender cannot forward (another codec, the application's transform already on the
// sender, no Opus from the publisher, a disabled track) takes the decoded audio instead, as
// before: the feed then holds the track's decode demand (media/audio_demand.h). The publisher's
// audio stays undecoded while only forwarding feeds read it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/notifier.h"
#include "api/rtp_receiver_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "rtc_base/thread.h"
#include "media/audio_demand.h"
#include "media/audio_sink_list.h"
#include "media/chained_transformer.h"
#include "media/forward_gate.h"
#include "media/opus_packets.h"

namespace nlw {

class RelayAudioSource;
class AudioForwardRoute;

// The receive-side hook: each received frame is shown to the owner, then goes on to the decoder.
class OpusReceiveTap : public ChainedTransformer {
 public:
  // Any thread. Null: shows nothing more (waits for a frame being shown).
  void SetOwner(RelayAudioSource* owner);
  void Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;

 private:
  std::mutex mu_;
  RelayAudioSource* owner_ = nullptr;  // under mu_
};

// The source of one sender's track.
class RelayAudioFeed : public webrtc::Notifier<webrtc::AudioSourceInterface> {
 public:
  // AudioSourceInterface
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  void AddSink(webrtc::AudioTrackSinkInterface* sink) override;
  void RemoveSink(webrtc::AudioTrackSinkInterface* sink) override;

  // Any thread. Decoded audio (true) or silence per forwarded packet (false). Taking the decoded
  // audio may wait up to 50 ms for the decoder to catch up (AudioDemand::Hold).
  void SetPcm(bool pcm);
  bool pcm() const { return pcm_.load(); }
  // The relayed track is disabled (RelayAudioSource::SetMuted).
  bool muted() const;
  // The publisher's packets, for the sender's route.
  const std::shared_ptr<OpusPacketRing>& ring() const;
  // Whether anything still delivers to the feed (the track is not released).
  bool attached() const;
  bool has_sinks();

  // RelayAudioSource, under its lock.
  void Deliver(const void* audio_data, int bits_per_sample, int sample_rate, size_t channels, size_t frames);
  // `chunks` 10 ms chunks at the audio level `level` (media/audio_level_chunks.h; 127: silence).
  // While the sender forwards, a packet's chunks wait for the sender to have taken the chunks
  // before them (see Sent).
  void PushLevel(int chunks, int level);

  // The sender's route, on the encoder queue. M108 measures the level for a packet's extension
  // in a task it queues behind the packet's encoding (ChannelSendFrameTransformerDelegate posts
  // SendFrame): chunks of the next packet queued before that task would be measured with this
  // packet, and the next packet would measure nothing (level 127, silence), as happened to
  // packets arriving in a burst. So while forwarding, the chunks of a packet are given only once
  // the encoder has taken those before them, and not between a packet's encoding and its send
  // task. Consumed: `chunks` taken by the stand-in encoder (`sending`: they complete a packet);
  // Sent: after a frame was passed on (`forwarding`: the publisher's packet).
  void Consumed(int chunks, bool sending);
  void Sent(bool forwarding);

  // JS thread, before the feed is given to a sender: while `gate` is shut the sender's packets
  // are RTP-forwarded (media/rtp_forwarder.h) and the feed gives the sender nothing.
  void SetForwardGate(std::shared_ptr<ForwardGate> gate) { forward_gate_ = std::move(gate); }

 protected:
  friend class RelayAudioSource;
  explicit RelayAudioFeed(rtc::scoped_refptr<RelayAudioSource> parent, bool pcm);
  ~RelayAudioFeed() override;

 private:
  rtc::scoped_refptr<RelayAudioSource> parent_;
  std::shared_ptr<ForwardGate> forward_gate_;  // set before use
  std::atomic<bool> pcm_;
  AudioSinkList sinks_;
  void Give(int chunks, int level);  // under gate_mu_
  void GiveWaiting(bool all);        // under gate_mu_: all, or while the encoder has taken the rest
  std::mutex gate_mu_;               // taken before the sinks' lock
  bool gated_ = false;               // under gate_mu_: the sender forwards
  int64_t given_ = 0;                // under gate_mu_: chunks given
  int64_t consumed_ = 0;             // under gate_mu_: of those, taken by the stand-in encoder
  int64_t progress_ms_ = 0;          // under gate_mu_: the route's last call
  std::deque<std::pair<int, int>> waiting_;  // under gate_mu_: (chunks, level) per packet
};

class RelayAudioSource : public rtc::RefCountInterface, public webrtc::AudioTrackSinkInterface {
 public:
  // JS thread. `from`: a remote audio track (proxy); `receiver`, `transceiver`: its receiver and
  // transceiver (proxies), `home`: their connection's signaling/worker thread. The tap goes into
  // the receive stream (blocking hops to `home`), unless the application's transform is there.
  //
  // Not through RtpReceiverInterface::SetDepacketizerToDecoderFrameTransformer: M108's audio
  // receiver gives its transformer to the stream again whenever the track is enabled or disabled,
  // and the stream aborts on a second one (ChannelReceive: "Not setting the transformer?"). Given
  // to the media channel for the receiver's SSRC, the tap is the stream's alone. It is also the
  // channel's transformer for its later receive streams (an SSRC change: the publisher's stream
  // made again), so forwarding goes on across them. A receiver with no SSRC yet (the publisher's
  // SDP names none) gets no tap: its feeds take the decoded audio.
  static rtc::scoped_refptr<RelayAudioSource> Create(rtc::scoped_refptr<webrtc::AudioTrackInterface> from,
                                                     rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver,
                                                     rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver,
                                                     rtc::Thread* home);
  // JS thread. A feed for one sender; the Opus payload types are read again from the receiver.
  rtc::scoped_refptr<RelayAudioFeed> NewFeed();
  // JS thread. Unsubscribes (blocking hops); the feeds stay valid and get nothing more.
  void Detach();

  // The tap, on the publisher's receive thread.
  // `level`: the packet's ssrc-audio-level (0..127), -1 without the extension.
  void OnPacket(rtc::ArrayView<const uint8_t> payload, uint8_t payload_type, int level);
  // The decoded audio of the remote track (while a feed holds the demand), the mixer's thread.
  void OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
              size_t number_of_frames) override;

  const std::shared_ptr<OpusPacketRing>& ring() const { return ring_; }
  bool attached() const { return attached_.load(); }
  // JS thread: the track is disabled. Nothing is forwarded and the decoded audio is replaced by
  // silence (what libwebrtc sends for a disabled track).
  void SetMuted(bool muted) { muted_.store(muted); }
  bool muted() const { return muted_.load(); }
  // Process-wide: sources alive (liveObjects().relayAudioSources), packets kept.
  static uint64_t live();

 protected:
  RelayAudioSource(rtc::scoped_refptr<webrtc::AudioTrackInterface> from,
                   rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver);
  ~RelayAudioSource() override;

 private:
  friend class RelayAudioFeed;
  void AddFeed(RelayAudioFeed* feed);
  void RemoveFeed(RelayAudioFeed* feed);
  void CountPcm(int delta);
  void ReadPayloadTypes();

  rtc::scoped_refptr<webrtc::AudioTrackInterface> from_;
  rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver_;
  rtc::scoped_refptr<OpusReceiveTap> tap_;  // null if the receiver's slot was taken
  std::shared_ptr<OpusPacketRing> ring_ = std::make_shared<OpusPacketRing>();
  std::atomic<bool> attached_{true};
  std::atomic<bool> muted_{false};
  std::mutex mu_;
  std::vector<RelayAudioFeed*> feeds_;  // under mu_
  std::set<uint8_t> opus_types_;        // under mu_
  std::set<uint8_t> other_types_;       // under mu_: the receiver's other payload types
  std::atomic<int64_t> last_read_ms_{-1000};  // the tap's thread: payload types last read
  std::mutex demand_mu_;                // never taken under mu_ (the mixer's drain calls OnData)
  int pcm_feeds_ = 0;                   // under demand_mu_
  AudioDemand::Hold demand_;            // under demand_mu_
};

}  // namespace nlw
