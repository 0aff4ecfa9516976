#include "media/codec_round_trip.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "api/video/encoded_image.h"
#include "api/video/i420_buffer.h"
#include "api/video/render_resolution.h"
#include "api/video/video_bitrate_allocation.h"
#include "api/video/video_frame.h"
#include "api/video_codecs/video_codec.h"
#include "api/video_codecs/video_decoder.h"
#include "api/video_codecs/video_decoder_factory.h"
#include "api/video_codecs/video_encoder.h"
#include "api/video_codecs/video_encoder_factory.h"
#include "modules/video_coding/include/video_error_codes.h"
#include "runtime/codec_factories.h"

namespace nlw {

namespace {

constexpr int kFramerate = 30;
constexpr unsigned kStartKbps = 1000;
constexpr unsigned kMaxKbps = 2000;

// A gradient that moves one pixel per frame, with a bright block crossing it: enough texture and
// motion for key and delta frames to differ.
rtc::scoped_refptr<webrtc::I420Buffer> SourceFrame(int width, int height, int index) {
  rtc::scoped_refptr<webrtc::I420Buffer> buffer = webrtc::I420Buffer::Create(width, height);
  for (int y = 0; y < height; ++y) {
    uint8_t* row = buffer->MutableDataY() + y * buffer->StrideY();
    for (int x = 0; x < width; ++x) {
      const bool block = x / 32 == (index % (width / 32)) && y >= height / 3 && y < 2 * height / 3;
      row[x] = block ? 235 : static_cast<uint8_t>(16 + ((x + y + index) * 2) % 200);
    }
  }
  for (int y = 0; y < buffer->ChromaHeight(); ++y) {
    for (int x = 0; x < buffer->ChromaWidth(); ++x) {
      buffer->MutableDataU()[y * buffer->StrideU() + x] = static_cast<uint8_t>(64 + x % 128);
      buffer->MutableDataV()[y * buffer->StrideV() + x] = static_cast<uint8_t>(64 + y % 128);
    }
  }
  return buffer;
}

double LumaPsnr(const webrtc::I420BufferInterface& a, const webrtc::I420BufferInterface& b) {
  double sse = 0;
  for (int y = 0; y < a.height(); ++y) {
    for (int x = 0; x < a.width(); ++x) {
      const int d = a.DataY()[y * a.StrideY() + x] - b.DataY()[y * b.StrideY() + x];
      sse += d * d;
    }
  }
  if (sse == 0) return 99;
  const double mse = sse / (static_cast<double>(a.width()) * a.height());
  return 10 * std::log10(255.0 * 255.0 / mse);
}

class EncodedCollector : public webrtc::EncodedImageCallback {
 public:
  Result OnEncodedImage(const webrtc::EncodedImage& image,
                        const webrtc::CodecSpecificInfo* /*info*/) override {
    webrtc::EncodedImage copy = image;
    copy.SetEncodedData(webrtc::EncodedImageBuffer::Create(image.data(), image.size()));
    images.push_back(std::move(copy));
    return Result(Result::OK);
  }
  std::vector<webrtc::EncodedImage> images;
};

class DecodedCollector : public webrtc::DecodedImageCallback {
 public:
  explicit DecodedCollector(
      const std::map<uint32_t, rtc::scoped_refptr<webrtc::I420Buffer>>& sources)
      : sources_(sources) {}
  int32_t Decoded(webrtc::VideoFrame& frame) override {
    ++frames;
    width = frame.width();
    height = frame.height();
    auto source = sources_.find(frame.timestamp());
    rtc::scoped_refptr<webrtc::I420BufferInterface> decoded =
        frame.video_frame_buffer()->ToI420();
    if (source == sources_.end() || !decoded || decoded->width() != source->second->width() ||
        decoded->height() != source->second->height()) {
      mismatches++;
    } else {
      min_psnr = std::min(min_psnr, LumaPsnr(*source->second, *decoded));
    }
    return WEBRTC_VIDEO_CODEC_OK;
  }
  int frames = 0;
  int mismatches = 0;
  int width = 0;
  int height = 0;
  double min_psnr = 99;

 private:
  const std::map<uint32_t, rtc::scoped_refptr<webrtc::I420Buffer>>& sources_;
};

webrtc::VideoCodec EncoderSettings(webrtc::VideoCodecType type, int width, int height) {
  webrtc::VideoCodec codec;
  codec.codecType = type;
  codec.width = static_cast<uint16_t>(width);
  codec.height = static_cast<uint16_t>(height);
  codec.startBitrate = kStartKbps;
  codec.maxBitrate = kMaxKbps;
  codec.minBitrate = 30;
  codec.maxFramerate = kFramerate;
  codec.active = true;
  codec.qpMax = 56;
  codec.SetFrameDropEnabled(true);  // as libwebrtc sets it for camera video
  codec.numberOfSimulcastStreams = 1;
  webrtc::SimulcastStream& stream = codec.simulcastStream[0];
  stream.width = width;
  stream.height = height;
  stream.maxFramerate = kFramerate;
  stream.numberOfTemporalLayers = 1;
  stream.maxBitrate = kMaxKbps;
  stream.targetBitrate = kStartKbps;
  stream.minBitrate = 30;
  stream.qpMax = codec.qpMax;
  stream.active = true;
  webrtc::SpatialLayer& layer = codec.spatialLayers[0];
  layer.width = width;
  layer.height = height;
  layer.maxFramerate = kFramerate;
  layer.numberOfTemporalLayers = 1;
  layer.maxBitrate = kMaxKbps;
  layer.targetBitrate = kStartKbps;
  layer.minBitrate = 30;
  layer.qpMax = codec.qpMax;
  layer.active = true;
  switch (type) {
    case webrtc::kVideoCodecVP8:
      *codec.VP8() = webrtc::VideoEncoder::GetDefaultVp8Settings();
      break;
    case webrtc::kVideoCodecVP9:
      *codec.VP9() = webrtc::VideoEncoder::GetDefaultVp9Settings();
      break;
    case webrtc::kVideoCodecH264:
      *codec.H264() = webrtc::VideoEncoder::GetDefaultH264Settings();
      break;
    default:
      break;
  }
  return codec;
}

}  // namespace

CodecRoundTripResult RunCodecRoundTrip(const std::string& codec_name, int width, int height,
                                       int frames, bool skip_key_frame) {
  CodecRoundTripResult result;
  std::unique_ptr<webrtc::VideoEncoderFactory> encoder_factory = CreateVideoEncoderFactory();
  std::unique_ptr<webrtc::VideoDecoderFactory> decoder_factory = CreateVideoDecoderFactory();

  std::vector<webrtc::SdpVideoFormat> formats = encoder_factory->GetSupportedFormats();
  auto format = std::find_if(formats.begin(), formats.end(), [&](const auto& f) {
    return absl::EqualsIgnoreCase(f.name, codec_name);
  });
  if (format == formats.end()) {
    result.error = "the encoder factory lists no " + codec_name;
    return result;
  }
  result.format = format->ToString();
  const webrtc::VideoCodecType type = webrtc::PayloadStringToCodecType(format->name);

  std::unique_ptr<webrtc::VideoEncoder> encoder = encoder_factory->CreateVideoEncoder(*format);
  std::unique_ptr<webrtc::VideoDecoder> decoder = decoder_factory->CreateVideoDecoder(*format);
  if (!encoder || !decoder) {
    result.error = encoder ? "no decoder for " + result.format : "no encoder for " + result.format;
    return result;
  }

  EncodedCollector encoded;
  std::map<uint32_t, rtc::scoped_refptr<webrtc::I420Buffer>> sources;
  DecodedCollector decoded(sources);

  const webrtc::VideoCodec settings = EncoderSettings(type, width, height);
  if (encoder->InitEncode(&settings, webrtc::VideoEncoder::Settings(
                                         webrtc::VideoEncoder::Capabilities(false), 1, 1200)) !=
      WEBRTC_VIDEO_CODEC_OK) {
    result.error = "InitEncode failed";
    return result;
  }
  encoder->RegisterEncodeCompleteCallback(&encoded);
  webrtc::VideoBitrateAllocation allocation;
  allocation.SetBitrate(0, 0, kStartKbps * 1000);
  encoder->SetRates(webrtc::VideoEncoder::RateControlParameters(allocation, kFramerate));
  result.encoder = encoder->GetEncoderInfo().implementation_name;

  webrtc::VideoDecoder::Settings decoder_settings;
  decoder_settings.set_codec_type(type);
  decoder_settings.set_number_of_cores(1);
  decoder_settings.set_max_render_resolution(webrtc::RenderResolution(width, height));
  if (!decoder->Configure(decoder_settings)) {
    result.error = "decoder Configure failed";
    encoder->Release();
    return result;
  }
  decoder->RegisterDecodeCompleteCallback(&decoded);
  result.decoder = decoder->GetDecoderInfo().implementation_name;

  for (int i = 0; i < frames && result.error.empty(); ++i) {
    const uint32_t rtp_timestamp = 90000 / kFramerate * static_cast<uint32_t>(i + 1);
    sources[rtp_timestamp] = SourceFrame(width, height, i);
    webrtc::VideoFrame frame = webrtc::VideoFrame::Builder()
                                   .set_video_frame_buffer(sources[rtp_timestamp])
                                   .set_timestamp_rtp(rtp_timestamp)
                                   .set_timestamp_us(int64_t{i} * 1000000 / kFramerate)
                                   .build();
    const std::vector<webrtc::VideoFrameType> types = {
        i == 0 ? webrtc::VideoFrameType::kVideoFrameKey : webrtc::VideoFrameType::kVideoFrameDelta};
    const size_t before = encoded.images.size();
    if (encoder->Encode(frame, &types) != WEBRTC_VIDEO_CODEC_OK) {
      result.error = "Encode failed at frame " + std::to_string(i);
      break;
    }
    for (size_t k = before; k < encoded.images.size(); ++k) {
      const webrtc::EncodedImage& image = encoded.images[k];
      const bool key = image._frameType == webrtc::VideoFrameType::kVideoFrameKey;
      if (key) ++result.key_frames;
      if (key && skip_key_frame) continue;
      const int32_t rc = decoder->Decode(image, false, 0);
      if (rc != WEBRTC_VIDEO_CODEC_OK && skip_key_frame) {
        ++result.decode_errors;
      } else if (rc != WEBRTC_VIDEO_CODEC_OK) {
        result.error = "Decode returned " + std::to_string(rc) + " at frame " + std::to_string(i);
        break;
      }
    }
  }
  encoder->Release();
  decoder->Release();

  result.frames_encoded = static_cast<int>(encoded.images.size());
  result.frames_decoded = decoded.frames;
  result.width = decoded.width;
  result.height = decoded.height;
  result.min_psnr = decoded.min_psnr;
  if (result.error.empty() && decoded.mismatches > 0) {
    result.error = std::to_string(decoded.mismatches) + " decoded frames match no source frame";
  }
  return result;
}

}  // namespace nlw
