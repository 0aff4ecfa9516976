// One audio sender's forwarding of a relayed track's Opus packets (media/relay_audio_source.h).
//
// The route is the sender's send-side frame transformer, installed once for the sender's life.
// In M108 the channel calls its encoder (from AudioCodingModule::Add10MsData) and, synchronously
// after it, the transformer (ChannelSend::SendData), both on the channel's own encoder task queue
// ("AudioEncoder", a thread of its own: runtime/shared_task_queues.h). That queue is the key: the
// route registers TaskQueueBase::Current() at its first frame, and the Opus encoder
// (media/relayed_opus_encoder.h) finds its route from the queue it runs on. From then on, for
// each packet of the publisher, the encoder emits one dummy byte once it has been given the
// packet's length of audio, and the route puts the packet in its place.
//
// The route stops standing in, and the sender encodes what it gets, when: the track is not a
// relayed one (or is disabled), the publisher sends no Opus (the packet ring goes stale), a dummy
// byte did not reach the route (something else took the sender's frames). After three frames in
// a row it did not replace, the route switches its feed to the decoded audio.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "api/audio_codecs/audio_encoder.h"
#include "api/rtp_sender_interface.h"
#include "api/task_queue/task_queue_base.h"
#include "media/chained_transformer.h"
#include "media/relay_audio_source.h"

namespace nlw {

class AudioForwardRoute : public ChainedTransformer {
 public:
  // JS thread. `feed` is what the audio sender `sender` sends now (null: not a relayed track).
  // The sender's route is made and installed at its first feed (a blocking hop to the sender's
  // thread); without a route (the application's transform holds the slot) the feed takes the
  // decoded audio.
  static void Bind(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender, rtc::scoped_refptr<RelayAudioFeed> feed);
  // JS thread. The route of `sender`, made and installed if `create`; null when the application's
  // transform holds the slot.
  static rtc::scoped_refptr<AudioForwardRoute> Of(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender,
                                                  bool create);
  // JS thread. The feed of the track the sender now sends; null: not a relayed track.
  void SetFeed(rtc::scoped_refptr<RelayAudioFeed> feed);

  // The encoder's queue: the route of the channel whose encoder runs now, or null.
  static rtc::scoped_refptr<AudioForwardRoute> Current();
  // The encoder, per 10 ms of audio at 48 kHz: true if it stands in (then `encoded` has the dummy
  // byte and `info` says so, or nothing when the packet is not complete); false: encode.
  bool StandIn(uint32_t rtp_timestamp, rtc::Buffer* encoded, webrtc::AudioEncoder::EncodedInfo* info);

  // webrtc::FrameTransformerInterface, the channel's encoder queue.
  void Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;
  void UnregisterTransformedFrameCallback() override;

  // Any thread: a route forwards the stream with this SSRC (outbound-rtp stats).
  static bool ForwardsSsrc(uint32_t ssrc);
  // Process-wide: Opus packets forwarded, routes alive.
  static uint64_t forwarded_packets();
  static uint64_t live();

 protected:
  explicit AudioForwardRoute(const void* sender_key);
  ~AudioForwardRoute() override;

 private:
  void SetQueue(webrtc::TaskQueueBase* queue);
  bool StandInLocked(uint32_t rtp_timestamp, rtc::Buffer* encoded, webrtc::AudioEncoder::EncodedInfo* info,
                     rtc::scoped_refptr<RelayAudioFeed>* feed, bool* sending);

  const void* const sender_key_;
  std::mutex mu_;
  rtc::scoped_refptr<RelayAudioFeed> feed_;  // under mu_
  webrtc::TaskQueueBase* queue_ = nullptr;   // under mu_
  // The encoder's side (the encoder queue), under mu_:
  uint64_t cursor_ = 0;          // the ring's packet to stand in for next
  int pending_chunks_ = 0;       // 10 ms chunks given since the last packet
  uint32_t first_timestamp_ = 0;
  bool emitted_ = false;         // a dummy byte is on its way to Transform
  OpusPacketRing::Packet ready_; // what replaces it
  bool broken_ = false;          // a dummy byte never came: something else is in the chain
  int misses_ = 0;               // frames in a row not replaced
  std::atomic<uint32_t> ssrc_{0};
  std::atomic<bool> forwarding_{false};
};

}  // namespace nlw
