#include "media/forwarding_video_encoder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "api/video/i420_buffer.h"
#include "api/video/video_frame.h"
#include "api/video_codecs/h264_profile_level_id.h"
#include "media/base/media_constants.h"
#include "media/encoded_frame_buffer.h"
#include "runtime/shared_task_queues.h"
#include "modules/video_coding/codecs/interface/common_constants.h"
#include "modules/video_coding/include/video_error_codes.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

std::atomic<uint64_t> g_forwarded{0}, g_encoded{0}, g_transcoded{0}, g_dropped{0}, g_recovered{0}, g_layer_switches{0};

// A simulcast layer fits a target rate if its received rate is at most the target; going up to a
// larger layer needs this much more, so that the choice does not flap at the boundary.
constexpr double kUpSwitchMargin = 1.2;

webrtc::VideoCodecType CodecTypeOf(const webrtc::SdpVideoFormat& format) {
  if (absl::EqualsIgnoreCase(format.name, cricket::kVp8CodecName)) return webrtc::kVideoCodecVP8;
  if (absl::EqualsIgnoreCase(format.name, cricket::kVp9CodecName)) return webrtc::kVideoCodecVP9;
  if (absl::EqualsIgnoreCase(format.name, cricket::kH264CodecName)) return webrtc::kVideoCodecH264;
  return webrtc::kVideoCodecGeneric;
}

bool WantsKeyFrame(const std::vector<webrtc::VideoFrameType>* frame_types) {
  if (frame_types == nullptr) return false;
  for (webrtc::VideoFrameType t : *frame_types)
    if (t == webrtc::VideoFrameType::kVideoFrameKey) return true;
  return false;
}

}  // namespace

RelayCounters ReadRelayCounters() {
  return RelayCounters{g_forwarded.load(), g_encoded.load(), g_transcoded.load(), g_dropped.load(), g_recovered.load(),
                       g_layer_switches.load()};
}

ForwardingVideoEncoder::ForwardingVideoEncoder(const webrtc::SdpVideoFormat& format,
                                               std::unique_ptr<webrtc::VideoEncoder> real)
    : codec_type_(CodecTypeOf(format)), real_(std::move(real)) {
  if (codec_type_ == webrtc::kVideoCodecH264) {
    auto mode = format.parameters.find(cricket::kH264FmtpPacketizationMode);
    // Mode 0 sends one NAL unit per packet: a forwarded picture's NAL units may not fit.
    h264_non_interleaved_ = mode != format.parameters.end() && mode->second == "1";
    absl::optional<webrtc::H264ProfileLevelId> profile = webrtc::ParseSdpForH264ProfileLevelId(format.parameters);
    h264_constrained_baseline_only_ = profile && profile->profile == webrtc::H264Profile::kProfileConstrainedBaseline;
  }
  vp9_gof_.SetGofInfoVP9(webrtc::kTemporalStructureMode1);
}

ForwardingVideoEncoder::~ForwardingVideoEncoder() = default;

void ForwardingVideoEncoder::SetFecControllerOverride(webrtc::FecControllerOverride* o) {
  if (real_) real_->SetFecControllerOverride(o);
}

int ForwardingVideoEncoder::InitEncode(const webrtc::VideoCodec* codec_settings, const Settings& settings) {
  if (codec_settings == nullptr) return WEBRTC_VIDEO_CODEC_ERR_PARAMETER;
  codec_ = *codec_settings;
  settings_ = settings;
  key_trigger_->SetLayers(std::max<int>(1, codec_.numberOfSimulcastStreams));
  have_settings_ = true;
  waiting_for_key_ = true;  // a new configuration (size) starts at a keyframe
  if (real_initialized_) {
    real_initialized_ = false;
    if (!EnsureRealEncoder()) return WEBRTC_VIDEO_CODEC_ERROR;
  }
  return WEBRTC_VIDEO_CODEC_OK;
}

bool ForwardingVideoEncoder::EnsureRealEncoder() {
  if (real_initialized_) return true;
  if (!real_ || !have_settings_) return false;
  // Pixels from now on: this sender's queue gets a thread of its own (it shared one with the
  // forwarding senders' queues) before its next task.
  MoveCurrentQueueToOwnThread();
  if (real_->InitEncode(&codec_, settings_) != WEBRTC_VIDEO_CODEC_OK) return false;
  real_initialized_ = true;
  if (callback_) real_->RegisterEncodeCompleteCallback(&tap_);
  if (rates_) real_->SetRates(*rates_);
  return true;
}

int32_t ForwardingVideoEncoder::RegisterEncodeCompleteCallback(webrtc::EncodedImageCallback* callback) {
  callback_ = callback;
  if (real_initialized_) real_->RegisterEncodeCompleteCallback(callback != nullptr ? &tap_ : nullptr);
  return WEBRTC_VIDEO_CODEC_OK;
}

int32_t ForwardingVideoEncoder::Release() {
  if (real_initialized_) real_->Release();
  real_initialized_ = false;
  waiting_for_key_ = true;
  return WEBRTC_VIDEO_CODEC_OK;
}

void ForwardingVideoEncoder::SetRates(const RateControlParameters& parameters) {
  rates_ = parameters;
  if (real_initialized_) real_->SetRates(parameters);
}

void ForwardingVideoEncoder::OnPacketLossRateUpdate(float packet_loss_rate) {
  if (real_initialized_) real_->OnPacketLossRateUpdate(packet_loss_rate);
}

void ForwardingVideoEncoder::OnRttUpdate(int64_t rtt_ms) {
  if (real_initialized_) real_->OnRttUpdate(rtt_ms);
}

void ForwardingVideoEncoder::OnLossNotification(const LossNotification& loss_notification) {
  if (real_initialized_) real_->OnLossNotification(loss_notification);
}

// The real encoder's, so that a sender that encodes behaves as without us, except that our
// buffers come here as they are (supports_native_handle: we convert them). While forwarding (the
// sender reconfigures its scalers when this changes, before the next frame): no quality scaling (it
// would ask the relay's source for smaller pictures, which it cannot make) and no frame dropping
// by the sender (has_trusted_rate_controller: a forwarded stream's rate is the publisher's).
webrtc::VideoEncoder::EncoderInfo ForwardingVideoEncoder::GetEncoderInfo() const {
  EncoderInfo info = real_ ? real_->GetEncoderInfo() : EncoderInfo();
  info.supports_native_handle = true;
  if (forwarding_) {
    info.implementation_name = "forward";
    info.scaling_settings = ScalingSettings(ScalingSettings::kOff);
    info.requested_resolution_alignment = 1;
    info.apply_alignment_to_all_simulcast_layers = false;
    info.has_trusted_rate_controller = true;
    info.is_hardware_accelerated = false;
    info.resolution_bitrate_limits.clear();
    info.is_qp_trusted = false;
  }
  return info;
}

bool ForwardingVideoEncoder::CanForward(const EncodedFrameBuffer& buffer) const {
  const EncodedFrameBuffer::Picture& p = buffer.picture();
  if (p.codec != codec_type_ || !have_settings_) return false;
  if (codec_.numberOfSimulcastStreams > 1) return false;
  // The sender scaled (scaleResolutionDownBy) or cropped: the picture is not what it asked for.
  if (codec_.width != buffer.width() || codec_.height != buffer.height()) return false;
  if (codec_type_ == webrtc::kVideoCodecH264) {
    if (!h264_non_interleaved_) return false;
    // Baseline (66); under Constrained Baseline only with constraint_set1 (0x40).
    if (p.h264.profile_idc != 66) return false;
    if (h264_constrained_baseline_only_ && (p.h264.constraint_flags & 0x40) == 0) return false;
  }
  return true;
}

int32_t ForwardingVideoEncoder::Encode(const webrtc::VideoFrame& frame,
                                       const std::vector<webrtc::VideoFrameType>* frame_types) {
  if (callback_ == nullptr) return WEBRTC_VIDEO_CODEC_UNINITIALIZED;
  // generateKeyFrame(): the layers still waiting for a key frame are asked for one.
  std::vector<webrtc::VideoFrameType> forced;
  const int layers = frame_types != nullptr ? static_cast<int>(frame_types->size())
                                            : std::max<int>(1, codec_.numberOfSimulcastStreams);
  if (uint32_t asked = key_trigger_->Pending(layers)) {
    forced = frame_types != nullptr ? *frame_types
                                    : std::vector<webrtc::VideoFrameType>(layers, webrtc::VideoFrameType::kVideoFrameDelta);
    for (int i = 0; i < layers && i < KeyFrameTrigger::kMaxLayers; i++)
      if ((asked >> i) & 1) forced[i] = webrtc::VideoFrameType::kVideoFrameKey;
    frame_types = &forced;
  }
  EncodedFrameBuffer* buffer = EncodedFrameBuffer::From(frame.video_frame_buffer().get());
  if (buffer != nullptr && CanForward(*buffer)) {
    // A simulcast publisher: every layer's pictures come here; this sender forwards one of them.
    if (buffer->picture().layer != 0 && !TakeLayer(*buffer)) return WEBRTC_VIDEO_CODEC_OK;
    return Forward(frame, *buffer, WantsKeyFrame(frame_types));
  }
  // Encoding a simulcast publisher's pictures: once per picture time (the largest layer's).
  if (buffer != nullptr && buffer->picture().layer != 0 && buffer->picture().width != buffer->width())
    return WEBRTC_VIDEO_CODEC_OK;
  const bool was_forwarding = forwarding_;
  forwarding_ = false;
  waiting_for_key_ = true;  // back to forwarding only at a keyframe
  if (was_forwarding) {
    // The remote decoder holds the forwarded stream's references, not the real encoder's.
    std::vector<webrtc::VideoFrameType> key{webrtc::VideoFrameType::kVideoFrameKey};
    return EncodeRaw(frame, &key, buffer != nullptr);
  }
  return EncodeRaw(frame, frame_types, buffer != nullptr);
}

bool ForwardingVideoEncoder::TakeLayer(const EncodedFrameBuffer& buffer) {
  const EncodedFrameBuffer::Picture& p = buffer.picture();
  EncodedFrameOrigin* origin = buffer.origin();
  if (origin == nullptr) return false;
  const std::vector<RelayedLayer> layers = origin->Layers();
  int current = -1;
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].layer == layer_) current = static_cast<int>(i);
  // The largest layer whose rate fits the target the sender's estimate gives (the smallest if none
  // does, or while the rates are not known yet).
  const double target = rates_ ? static_cast<double>(rates_->bitrate.get_sum_bps()) : 0.0;
  int wanted = 0;
  for (size_t i = 1; i < layers.size(); ++i) {
    const double need = layers[i].bitrate_bps * (static_cast<int>(i) > current ? kUpSwitchMargin : 1.0);
    if (layers[i].bitrate_bps > 0 && need <= target) wanted = static_cast<int>(i);
  }
  const uint32_t wanted_layer = layers.empty() ? p.layer : layers[wanted].layer;
  if (p.layer == layer_ && current >= 0) {
    if (wanted_layer != layer_) origin->RequestLayerKeyFrame(wanted_layer);  // coalesced per layer
    return true;
  }
  if (p.layer == wanted_layer && p.key_frame) {
    // Switch at the new layer's keyframe. The sender stamps RTP times (from the frames' capture
    // times, which grow across layers) and VP8/VP9 picture ids itself: the stream stays continuous.
    if (layer_ != 0) g_layer_switches.fetch_add(1);
    layer_ = p.layer;
    last_sequence_ = 0;
    return true;
  }
  if (wanted_layer != layer_ || current < 0) origin->RequestLayerKeyFrame(wanted_layer);
  return false;
}

int32_t ForwardingVideoEncoder::Forward(const webrtc::VideoFrame& frame, const EncodedFrameBuffer& buffer,
                                        bool key_requested) {
  const EncodedFrameBuffer::Picture& p = buffer.picture();
  const bool same_origin = buffer.origin() == last_origin_;
  const bool gap = (last_sequence_ != 0 && p.sequence != last_sequence_ + 1) || !same_origin;
  // The sender's VideoStreamEncoder skipped pictures (its queue was more than a frame late): the
  // skipped ones go out first, from the source's recent pictures, so the stream goes on unbroken.
  bool recovered = false;
  if (gap && same_origin && !p.key_frame && !waiting_for_key_ && forwarding_ && !key_requested &&
      p.sequence > last_sequence_ && p.sequence - last_sequence_ - 1 <= EncodedFrameOrigin::kRecentPictures &&
      buffer.origin() != nullptr) {
    recovered = SendSkipped(frame, buffer, last_sequence_ + 1);
  }
  last_sequence_ = p.sequence;
  last_origin_ = buffer.origin();
  if (p.key_frame) waiting_for_key_ = false;
  else if ((gap && !recovered) || key_requested || !forwarding_) waiting_for_key_ = true;
  forwarding_ = true;
  if (waiting_for_key_) {
    g_dropped.fetch_add(1);
    if (buffer.origin()) buffer.origin()->RequestKeyFrame();
    return WEBRTC_VIDEO_CODEC_OK;
  }
  webrtc::EncodedImageCallback::Result result(webrtc::EncodedImageCallback::Result::OK);
  SendPicture(p, frame.timestamp(), frame.ntp_time_ms(), frame.render_time_ms(), frame.rotation(), &result);
  if (result.error != webrtc::EncodedImageCallback::Result::OK) waiting_for_key_ = true;
  return WEBRTC_VIDEO_CODEC_OK;
}

bool ForwardingVideoEncoder::SendSkipped(const webrtc::VideoFrame& frame, const EncodedFrameBuffer& buffer,
                                         uint64_t first) {
  const EncodedFrameBuffer::Picture& p = buffer.picture();
  std::vector<RelayedPicture> skipped;
  skipped.reserve(p.sequence - first);
  for (uint64_t seq = first; seq < p.sequence; ++seq) {
    RelayedPicture missed;
    if (!buffer.origin()->Recent(p.layer, seq, &missed) || missed.codec != codec_type_ || missed.width != p.width ||
        missed.height != p.height || missed.capture_time_us > p.capture_time_us)
      return false;  // no longer kept, or not the same stream: wait for a keyframe
    skipped.push_back(std::move(missed));
  }
  // The RTP time of a frame is 90 kHz of its capture time in ms (VideoStreamEncoder::OnFrame).
  const int64_t now_ms = p.capture_time_us / rtc::kNumMicrosecsPerMillisec;
  for (const RelayedPicture& missed : skipped) {
    const int64_t back_ms = now_ms - missed.capture_time_us / rtc::kNumMicrosecsPerMillisec;
    const uint32_t rtp = frame.timestamp() - static_cast<uint32_t>(90 * back_ms);
    webrtc::EncodedImageCallback::Result result(webrtc::EncodedImageCallback::Result::OK);
    SendPicture(missed, rtp, frame.ntp_time_ms() - back_ms, frame.render_time_ms() - back_ms, frame.rotation(),
                &result);
    if (result.error != webrtc::EncodedImageCallback::Result::OK) return false;
    g_recovered.fetch_add(1);
  }
  return true;
}

void ForwardingVideoEncoder::SendPicture(const RelayedPicture& p, uint32_t rtp_timestamp, int64_t ntp_time_ms,
                                         int64_t capture_time_ms, webrtc::VideoRotation rotation,
                                         webrtc::EncodedImageCallback::Result* result) {
  webrtc::EncodedImage image;
  // The packetizer only reads the data; the receive side made it and keeps it unchanged.
  image.SetEncodedData(rtc::scoped_refptr<webrtc::EncodedImageBufferInterface>(
      const_cast<webrtc::EncodedImageBufferInterface*>(p.data.get())));
  image._encodedWidth = static_cast<uint32_t>(p.width);
  image._encodedHeight = static_cast<uint32_t>(p.height);
  image.SetTimestamp(rtp_timestamp);
  image.ntp_time_ms_ = ntp_time_ms;
  image.capture_time_ms_ = capture_time_ms;
  image._frameType = p.key_frame ? webrtc::VideoFrameType::kVideoFrameKey : webrtc::VideoFrameType::kVideoFrameDelta;
  image.rotation_ = rotation;
  webrtc::CodecSpecificInfo info;
  info.codecType = codec_type_;
  info.end_of_picture = true;
  switch (codec_type_) {
    case webrtc::kVideoCodecVP8: {
      webrtc::CodecSpecificInfoVP8& vp8 = info.codecSpecific.VP8;
      vp8.nonReference = false;
      vp8.temporalIdx = webrtc::kNoTemporalIdx;
      vp8.layerSync = false;
      vp8.keyIdx = webrtc::kNoKeyIdx;
      vp8.useExplicitDependencies = false;
      vp8.referencedBuffersCount = 0;
      vp8.updatedBuffersCount = 0;
      break;
    }
    case webrtc::kVideoCodecVP9: {
      // One spatial and one temporal layer, non-flexible mode, the scalability structure on
      // keyframes: what libwebrtc's own VP9 encoder sends for such a stream.
      webrtc::CodecSpecificInfoVP9& vp9 = info.codecSpecific.VP9;
      vp9.first_frame_in_picture = true;
      vp9.inter_pic_predicted = !p.key_frame;
      vp9.flexible_mode = false;
      vp9.ss_data_available = p.key_frame;
      vp9.non_ref_for_inter_layer_pred = true;
      vp9.temporal_idx = webrtc::kNoTemporalIdx;
      vp9.temporal_up_switch = false;
      vp9.inter_layer_predicted = false;
      vp9.gof_idx = 0;
      vp9.num_spatial_layers = 1;
      vp9.first_active_layer = 0;
      vp9.spatial_layer_resolution_present = p.key_frame;
      vp9.width[0] = static_cast<uint16_t>(p.width);
      vp9.height[0] = static_cast<uint16_t>(p.height);
      if (p.key_frame) vp9.gof.CopyGofInfoVP9(vp9_gof_);
      vp9.num_ref_pics = p.key_frame ? 0 : 1;
      vp9.p_diff[0] = 1;
      break;
    }
    case webrtc::kVideoCodecH264: {
      webrtc::CodecSpecificInfoH264& h264 = info.codecSpecific.H264;
      h264.packetization_mode = webrtc::H264PacketizationMode::NonInterleaved;
      h264.temporal_idx = webrtc::kNoTemporalIdx;
      h264.base_layer_sync = false;
      h264.idr_frame = p.key_frame;
      break;
    }
    default:
      break;
  }
  Deliver(image, &info, result);
  g_forwarded.fetch_add(1);
}

int32_t ForwardingVideoEncoder::EncodeRaw(const webrtc::VideoFrame& frame,
                                          const std::vector<webrtc::VideoFrameType>* frame_types, bool relayed) {
  if (!EnsureRealEncoder()) return WEBRTC_VIDEO_CODEC_ERROR;
  rtc::scoped_refptr<webrtc::VideoFrameBuffer> pixels = frame.video_frame_buffer();
  if (pixels->type() == webrtc::VideoFrameBuffer::Type::kNative) {
    rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = pixels->ToI420();
    if (!i420) return WEBRTC_VIDEO_CODEC_OK;  // no decoded picture yet: nothing to send
    pixels = i420;
  }
  if (pixels->width() != codec_.width || pixels->height() != codec_.height) {
    if (codec_.numberOfSimulcastStreams <= 1 && codec_.width > 0 && codec_.height > 0) {
      rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = pixels->ToI420();
      if (!i420) return WEBRTC_VIDEO_CODEC_OK;
      rtc::scoped_refptr<webrtc::I420Buffer> scaled = webrtc::I420Buffer::Create(codec_.width, codec_.height);
      scaled->ScaleFrom(*i420);
      pixels = scaled;
    }
  }
  webrtc::VideoFrame copy(frame);
  copy.set_video_frame_buffer(pixels);
  g_encoded.fetch_add(1);
  if (relayed) g_transcoded.fetch_add(1);
  return real_->Encode(copy, frame_types);
}

// The simulcast index libwebrtc's RtpVideoSender gives the picture (VP9 carries spatial layers of
// one stream in it instead).
void ForwardingVideoEncoder::Deliver(const webrtc::EncodedImage& image, const webrtc::CodecSpecificInfo* info,
                                     webrtc::EncodedImageCallback::Result* result) {
  const webrtc::VideoCodecType type = info != nullptr ? info->codecType : codec_type_;
  const int layer = type == webrtc::kVideoCodecVP9 ? 0 : image.SpatialIndex().value_or(0);
  if (image._frameType == webrtc::VideoFrameType::kVideoFrameKey) key_trigger_->Delivered(layer);
  EmittingEncoder scope(key_trigger_, layer);
  *result = callback_->OnEncodedImage(image, info);
}

webrtc::EncodedImageCallback::Result ForwardingVideoEncoder::Tap::OnEncodedImage(const webrtc::EncodedImage& image,
                                                                                const webrtc::CodecSpecificInfo* info) {
  webrtc::EncodedImageCallback::Result result(webrtc::EncodedImageCallback::Result::ERROR_SEND_FAILED);
  if (owner_->callback_ != nullptr) owner_->Deliver(image, info, &result);
  return result;
}

void ForwardingVideoEncoder::Tap::OnDroppedFrame(DropReason reason) {
  if (owner_->callback_ != nullptr) owner_->callback_->OnDroppedFrame(reason);
}

ForwardingVideoEncoderFactory::ForwardingVideoEncoderFactory(std::unique_ptr<webrtc::VideoEncoderFactory> real)
    : real_(std::move(real)) {}

std::vector<webrtc::SdpVideoFormat> ForwardingVideoEncoderFactory::GetSupportedFormats() const {
  return real_->GetSupportedFormats();
}

std::vector<webrtc::SdpVideoFormat> ForwardingVideoEncoderFactory::GetImplementations() const {
  return real_->GetImplementations();
}

webrtc::VideoEncoderFactory::CodecSupport ForwardingVideoEncoderFactory::QueryCodecSupport(
    const webrtc::SdpVideoFormat& format, absl::optional<std::string> scalability_mode) const {
  return real_->QueryCodecSupport(format, std::move(scalability_mode));
}

std::unique_ptr<webrtc::VideoEncoder> ForwardingVideoEncoderFactory::CreateVideoEncoder(
    const webrtc::SdpVideoFormat& format) {
  std::unique_ptr<webrtc::VideoEncoder> real = real_->CreateVideoEncoder(format);
  if (!real) return nullptr;
  return std::make_unique<ForwardingVideoEncoder>(format, std::move(real));
}

}  // namespace nlw
