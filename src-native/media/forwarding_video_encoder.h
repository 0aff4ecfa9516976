// The relay's encoder (issue 17): wraps a real encoder. Given a frame whose buffer carries an
// encoded picture (media/encoded_frame_buffer.h) of the codec this sender negotiated, it emits the
// picture unchanged through EncodedImageCallback::OnEncodedImage, with the codec-specific info
// libwebrtc's packetizer needs; given anything else (a raw frame, another codec, a size the sender
// scaled to, H.264 whose profile or packetization mode does not fit), it encodes the pixels with
// the real encoder, which it initializes only then. All calls on the sender's encoder queue.
//
// generateKeyFrame(): the sender's transformer finds this encoder's KeyFrameTrigger through the
// EmittingEncoder scope set around each delivered picture (media/key_frame_trigger.h); the layers
// it asks for are encoded (or, forwarding, awaited from the publisher) as key frames.
//
// A forwarded stream can only start, or go on after a lost picture, at a keyframe: the encoder
// drops pictures until one arrives (a new sender, a keyframe request from the remote side, a gap
// in the pictures it was given, a switch back from encoding) and asks the relay's source for one.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "api/video_codecs/sdp_video_format.h"
#include "api/video_codecs/video_encoder.h"
#include "api/video_codecs/video_encoder_factory.h"
#include "media/encoded_frame_buffer.h"
#include "media/key_frame_trigger.h"
#include "modules/video_coding/codecs/vp9/include/vp9_globals.h"
#include "modules/video_coding/include/video_codec_interface.h"

namespace nlw {

// Counters of all relay encoders of the process (nonstandard.relayCounters()).
struct RelayCounters {
  uint64_t forwarded_frames;  // pictures sent unchanged
  uint64_t encoded_frames;    // pictures encoded by a real encoder (any sender)
  uint64_t transcoded_frames; // of those, relayed pictures that could not be forwarded
  uint64_t dropped_frames;    // relayed pictures dropped while waiting for a keyframe
  uint64_t recovered_frames;  // of forwarded_frames, pictures the sender had skipped, sent late
  uint64_t layer_switches;    // senders' switches from one simulcast layer to another
};
RelayCounters ReadRelayCounters();

class ForwardingVideoEncoder : public webrtc::VideoEncoder {
 public:
  ForwardingVideoEncoder(const webrtc::SdpVideoFormat& format, std::unique_ptr<webrtc::VideoEncoder> real);
  ~ForwardingVideoEncoder() override;

  void SetFecControllerOverride(webrtc::FecControllerOverride* o) override;
  int InitEncode(const webrtc::VideoCodec* codec_settings, const Settings& settings) override;
  int32_t RegisterEncodeCompleteCallback(webrtc::EncodedImageCallback* callback) override;
  int32_t Release() override;
  int32_t Encode(const webrtc::VideoFrame& frame, const std::vector<webrtc::VideoFrameType>* frame_types) override;
  void SetRates(const RateControlParameters& parameters) override;
  void OnPacketLossRateUpdate(float packet_loss_rate) override;
  void OnRttUpdate(int64_t rtt_ms) override;
  void OnLossNotification(const LossNotification& loss_notification) override;
  EncoderInfo GetEncoderInfo() const override;

 private:
  bool CanForward(const EncodedFrameBuffer& buffer) const;
  // A simulcast layer's picture: whether this sender forwards it (the layer it chose from its
  // target rate; a switch at the chosen layer's keyframe, which it asks for).
  bool TakeLayer(const EncodedFrameBuffer& buffer);
  int32_t Forward(const webrtc::VideoFrame& frame, const EncodedFrameBuffer& buffer, bool key_requested);
  // The pictures from `first` up to `buffer`'s, which the sender skipped; false if one is missing.
  bool SendSkipped(const webrtc::VideoFrame& frame, const EncodedFrameBuffer& buffer, uint64_t first);
  void SendPicture(const RelayedPicture& p, uint32_t rtp_timestamp, int64_t ntp_time_ms, int64_t capture_time_ms,
                   webrtc::VideoRotation rotation, webrtc::EncodedImageCallback::Result* result);
  int32_t EncodeRaw(const webrtc::VideoFrame& frame, const std::vector<webrtc::VideoFrameType>* frame_types,
                    bool relayed);
  bool EnsureRealEncoder();
  void Deliver(const webrtc::EncodedImage& image, const webrtc::CodecSpecificInfo* info,
              webrtc::EncodedImageCallback::Result* result);

  // Between the real encoder and libwebrtc's callback: marks each delivery (EmittingEncoder).
  class Tap : public webrtc::EncodedImageCallback {
   public:
    explicit Tap(ForwardingVideoEncoder* owner) : owner_(owner) {}
    Result OnEncodedImage(const webrtc::EncodedImage& image, const webrtc::CodecSpecificInfo* info) override;
    void OnDroppedFrame(DropReason reason) override;

   private:
    ForwardingVideoEncoder* const owner_;
  };

  const webrtc::VideoCodecType codec_type_;
  // H.264: what the negotiated format allows.
  bool h264_non_interleaved_ = true;
  bool h264_constrained_baseline_only_ = false;

  std::unique_ptr<webrtc::VideoEncoder> real_;
  bool real_initialized_ = false;
  bool have_settings_ = false;
  webrtc::VideoCodec codec_{};
  Settings settings_{webrtc::VideoEncoder::Capabilities(false), 1, 0};
  absl::optional<RateControlParameters> rates_;
  webrtc::EncodedImageCallback* callback_ = nullptr;
  const std::shared_ptr<KeyFrameTrigger> key_trigger_ = std::make_shared<KeyFrameTrigger>();
  Tap tap_{this};

  bool forwarding_ = false;      // the last picture was forwarded (GetEncoderInfo's name)
  bool waiting_for_key_ = true;  // no picture goes out until a keyframe
  uint64_t last_sequence_ = 0;
  uint32_t layer_ = 0;  // the simulcast layer forwarded (RelayedPicture::layer), 0: none yet
  const void* last_origin_ = nullptr;  // the relay source of the last picture (compared only)
  webrtc::GofInfoVP9 vp9_gof_{};
};

// Wraps a factory: its encoders become ForwardingVideoEncoders over the encoders it makes.
class ForwardingVideoEncoderFactory : public webrtc::VideoEncoderFactory {
 public:
  explicit ForwardingVideoEncoderFactory(std::unique_ptr<webrtc::VideoEncoderFactory> real);
  std::vector<webrtc::SdpVideoFormat> GetSupportedFormats() const override;
  std::vector<webrtc::SdpVideoFormat> GetImplementations() const override;
  CodecSupport QueryCodecSupport(const webrtc::SdpVideoFormat& format,
                                 absl::optional<std::string> scalability_mode) const override;
  std::unique_ptr<webrtc::VideoEncoder> CreateVideoEncoder(const webrtc::SdpVideoFormat& format) override;

 private:
  std::unique_ptr<webrtc::VideoEncoderFactory> real_;
};

}  // namespace nlw
