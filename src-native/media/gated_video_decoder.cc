#include "media/gated_video_decoder.h"

#include "media/decode_gate.h"
#include "modules/video_coding/include/video_error_codes.h"
#include "rtc_base/ref_counted_object.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {
constexpr int64_t kKeyFrameRequestIntervalMs = 250;
}  // namespace

GatedVideoDecoder::GatedVideoDecoder(std::unique_ptr<webrtc::VideoDecoder> real)
    : link_(rtc::make_ref_counted<DecoderLink>()), real_(std::move(real)) {}

GatedVideoDecoder::~GatedVideoDecoder() {
  real_.reset();  // it may call the callback until it goes
  link_->Forget();
}

int32_t GatedVideoDecoder::RegisterDecodeCompleteCallback(webrtc::DecodedImageCallback* callback) {
  std::unique_ptr<Callback> next = callback ? std::make_unique<Callback>(link_.get(), callback) : nullptr;
  const int32_t result = real_->RegisterDecodeCompleteCallback(next.get());
  callback_ = std::move(next);  // after the real decoder stopped using the previous one
  return result;
}

void GatedVideoDecoder::Callback::Note(const webrtc::VideoFrame& frame) {
  if (!link_->linked()) link_->NoteDecoded(frame.video_frame_buffer().get());
}

int32_t GatedVideoDecoder::Callback::Decoded(webrtc::VideoFrame& frame) {
  Note(frame);
  return next_->Decoded(frame);
}

int32_t GatedVideoDecoder::Callback::Decoded(webrtc::VideoFrame& frame, int64_t decode_time_ms) {
  Note(frame);
  return next_->Decoded(frame, decode_time_ms);
}

void GatedVideoDecoder::Callback::Decoded(webrtc::VideoFrame& frame, absl::optional<int32_t> decode_time_ms,
                                          absl::optional<uint8_t> qp) {
  Note(frame);
  next_->Decoded(frame, decode_time_ms, qp);
}

int32_t GatedVideoDecoder::Decode(const webrtc::EncodedImage& input_image, bool missing_frames,
                                  int64_t render_time_ms) {
  const bool key = input_image._frameType == webrtc::VideoFrameType::kVideoFrameKey;
  rtc::scoped_refptr<DecodeGate> gate = link_->gate();
  if (key || gate == nullptr || (gate->open() && !need_key_)) {
    need_key_ = false;
    DecodeGate::CountDecoded();
    return real_->Decode(input_image, missing_frames, render_time_ms);
  }
  // Not decoded. OK (not an error): the receive stream would otherwise ask for keyframes and wait
  // for one before giving the decoder anything else.
  DecodeGate::CountSkipped();
  gate->CountPicture();  // the track's frame rate counts what arrives, decoded or not
  need_key_ = true;
  if (!gate->open()) return WEBRTC_VIDEO_CODEC_OK;
  // Pictures are wanted again: the skipped references must come back as a keyframe.
  const int64_t now = rtc::TimeMillis();
  if (now - last_key_request_ms_ < kKeyFrameRequestIntervalMs) return WEBRTC_VIDEO_CODEC_OK;
  last_key_request_ms_ = now;
  return WEBRTC_VIDEO_CODEC_OK_REQUEST_KEYFRAME;
}

std::unique_ptr<webrtc::VideoDecoder> GatedVideoDecoderFactory::CreateVideoDecoder(const webrtc::SdpVideoFormat& format) {
  std::unique_ptr<webrtc::VideoDecoder> real = real_->CreateVideoDecoder(format);
  if (!real) return nullptr;
  return std::make_unique<GatedVideoDecoder>(std::move(real));
}

}  // namespace nlw
