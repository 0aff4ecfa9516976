#include "media/h264_decoder.h"

#include <wels/codec_api.h>

#include <climits>

#include "api/video/i420_buffer.h"
#include "api/video/video_frame.h"
#include "modules/video_coding/include/video_error_codes.h"
#include "rtc_base/logging.h"
#include "libyuv/planar_functions.h"

namespace nlw {

namespace {

// OpenH264's log lines go to libwebrtc's log instead of stdout.
void OnOpenH264Log(void* /*context*/, int level, const char* message) {
  if (level <= WELS_LOG_ERROR) {
    RTC_LOG(LS_WARNING) << "OpenH264: " << message;
  } else {
    RTC_LOG(LS_INFO) << "OpenH264: " << message;
  }
}

}  // namespace

void OpenH264Decoder::Destroy::operator()(ISVCDecoder* decoder) const {
  decoder->Uninitialize();
  WelsDestroyDecoder(decoder);
}

OpenH264Decoder::OpenH264Decoder() = default;

OpenH264Decoder::~OpenH264Decoder() { Release(); }

bool OpenH264Decoder::Configure(const Settings& settings) {
  Release();
  if (settings.buffer_pool_size() && !buffer_pool_.Resize(*settings.buffer_pool_size())) {
    return false;
  }
  ISVCDecoder* created = nullptr;
  if (WelsCreateDecoder(&created) != 0 || created == nullptr) {
    RTC_LOG(LS_ERROR) << "OpenH264: WelsCreateDecoder failed";
    return false;
  }
  // Owned from here on; Destroy uninitializes, which OpenH264 allows before Initialize.
  std::unique_ptr<ISVCDecoder, Destroy> decoder(created);

  WelsTraceCallback log = &OnOpenH264Log;
  int log_level = WELS_LOG_WARNING;
  decoder->SetOption(DECODER_OPTION_TRACE_CALLBACK, reinterpret_cast<void*>(&log));
  decoder->SetOption(DECODER_OPTION_TRACE_LEVEL, &log_level);

  SDecodingParam param = {};
  param.uiTargetDqLayer = UCHAR_MAX;
  // No concealment: a picture with missing references is an error, and libwebrtc answers an
  // error with a keyframe request, rather than showing a smeared picture.
  param.eEcActiveIdc = ERROR_CON_DISABLE;
  param.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
  if (decoder->Initialize(&param) != 0) {
    RTC_LOG(LS_ERROR) << "OpenH264: decoder Initialize failed";
    return false;
  }
  decoder_ = std::move(decoder);
  return true;
}

int32_t OpenH264Decoder::Decode(const webrtc::EncodedImage& input_image, bool /*missing_frames*/,
                                int64_t /*render_time_ms*/) {
  if (!decoder_ || callback_ == nullptr) {
    return WEBRTC_VIDEO_CODEC_UNINITIALIZED;
  }
  if (input_image.data() == nullptr || input_image.size() == 0 ||
      input_image.size() > static_cast<size_t>(INT_MAX)) {
    return WEBRTC_VIDEO_CODEC_ERR_PARAMETER;
  }

  unsigned char* planes[3] = {nullptr, nullptr, nullptr};
  SBufferInfo info = {};
  DECODING_STATE state = decoder_->DecodeFrameNoDelay(
      input_image.data(), static_cast<int>(input_image.size()), planes, &info);
  if (state != dsErrorFree) {
    // dsNoParamSets, dsRefLost, dsBitstreamError...: the stream cannot go on from here until a
    // keyframe; WEBRTC_VIDEO_CODEC_ERROR makes libwebrtc's receive stream request one.
    RTC_LOG(LS_INFO) << "OpenH264: decoding state " << static_cast<int>(state);
    return WEBRTC_VIDEO_CODEC_ERROR;
  }
  if (info.iBufferStatus != 1) {
    // Parameter sets only, or a picture OpenH264 still holds: nothing to show yet.
    return WEBRTC_VIDEO_CODEC_OK;
  }

  const SSysMEMBuffer& picture = info.UsrData.sSystemBuffer;
  const int width = picture.iWidth;
  const int height = picture.iHeight;
  if (width <= 0 || height <= 0 || planes[0] == nullptr || planes[1] == nullptr ||
      planes[2] == nullptr) {
    return WEBRTC_VIDEO_CODEC_ERROR;
  }
  rtc::scoped_refptr<webrtc::I420Buffer> buffer = buffer_pool_.CreateI420Buffer(width, height);
  if (!buffer) {
    RTC_LOG(LS_WARNING) << "OpenH264: no free buffer in the pool";
    return WEBRTC_VIDEO_CODEC_MEMORY;
  }
  // OpenH264 reuses its picture buffers on the next call: copy out.
  libyuv::I420Copy(planes[0], picture.iStride[0], planes[1], picture.iStride[1], planes[2],
                   picture.iStride[1], buffer->MutableDataY(), buffer->StrideY(),
                   buffer->MutableDataU(), buffer->StrideU(), buffer->MutableDataV(),
                   buffer->StrideV(), width, height);

  bitstream_parser_.ParseBitstream(input_image);
  absl::optional<uint8_t> qp;
  if (absl::optional<int> slice_qp = bitstream_parser_.GetLastSliceQp()) {
    qp = static_cast<uint8_t>(*slice_qp);
  }

  webrtc::VideoFrame frame = webrtc::VideoFrame::Builder()
                                 .set_video_frame_buffer(buffer)
                                 .set_timestamp_rtp(input_image.Timestamp())
                                 .set_color_space(input_image.ColorSpace())
                                 .build();
  callback_->Decoded(frame, absl::nullopt, qp);
  return WEBRTC_VIDEO_CODEC_OK;
}

int32_t OpenH264Decoder::RegisterDecodeCompleteCallback(webrtc::DecodedImageCallback* callback) {
  callback_ = callback;
  return WEBRTC_VIDEO_CODEC_OK;
}

int32_t OpenH264Decoder::Release() {
  decoder_.reset();
  buffer_pool_.Release();
  return WEBRTC_VIDEO_CODEC_OK;
}

webrtc::VideoDecoder::DecoderInfo OpenH264Decoder::GetDecoderInfo() const {
  DecoderInfo info;
  info.implementation_name = ImplementationName();
  info.is_hardware_accelerated = false;
  return info;
}

const char* OpenH264Decoder::ImplementationName() const { return "OpenH264"; }

}  // namespace nlw
