// A video frame buffer that carries an encoded picture instead of pixels: what the relay hands a
// sender when it forwards a remote video track (media/relay_video_source.h). Its type is kNative,
// so libwebrtc's VideoStreamEncoder passes it untouched to our encoder
// (media/forwarding_video_encoder.h, which reports supports_native_handle), and that encoder emits
// the encoded image as it is. An encoder that needs pixels (another codec, a smaller size, a
// disabled track's black frames never come here) calls ToI420(): the relay's latest decoded
// picture, at this buffer's size.
#pragma once

#include <cstdint>
#include <vector>

#include "api/scoped_refptr.h"
#include "api/video/encoded_image.h"
#include "api/video/video_codec_type.h"
#include "api/video/video_frame_buffer.h"

namespace nlw {

// The H.264 profile seen in the stream's last sequence parameter set (0 = none seen yet).
struct H264StreamProfile {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;  // constraint_set0..5 in the high bits, as in the SPS
};

// One encoded picture of a relayed stream, as the relay's source emitted it.
struct RelayedPicture {
  rtc::scoped_refptr<const webrtc::EncodedImageBufferInterface> data;
  webrtc::VideoCodecType codec = webrtc::kVideoCodecGeneric;
  bool key_frame = false;
  int width = 0, height = 0;
  // Counts the pictures the source emitted: a gap means a sender's pipeline dropped one, and
  // the delta pictures after it cannot be decoded until the next keyframe, unless the encoder
  // sends the skipped ones first (EncodedFrameOrigin::Recent).
  uint64_t sequence = 0;
  // The frame's capture time (the VideoFrame's timestamp_us): the skipped pictures' RTP times
  // are the later frame's minus the difference.
  int64_t capture_time_us = 0;
  H264StreamProfile h264;
  // A simulcast publisher's layer (media/simulcast_layers.h): the layer's SSRC, 0 without
  // simulcast (with it, `sequence` counts that layer's pictures), and the largest layer's size,
  // which the buffer reports to the sender for every layer (its encoder is configured once,
  // whichever layer it forwards).
  uint32_t layer = 0;
  int stream_width = 0, stream_height = 0;
};

// A simulcast layer of a relayed track, as a sender's encoder chooses among them.
struct RelayedLayer {
  uint32_t layer = 0;       // RelayedPicture::layer
  double bitrate_bps = 0;   // received over the last second or so (0: not known yet)
};

// What the buffer asks of the source it came from (implemented by RelayVideoSource).
class EncodedFrameOrigin : public rtc::RefCountInterface {
 public:
  // Any thread. Asks the publisher for a keyframe; coalesced (at most one per 300 ms).
  virtual void RequestKeyFrame() = 0;
  // Any thread. The latest decoded picture, or null if none yet.
  virtual rtc::scoped_refptr<webrtc::I420BufferInterface> LatestPicture() = 0;
  // Any thread. A recently emitted picture by its sequence number, if still kept (the last
  // kRecentPictures, about 2 s): a sender whose VideoStreamEncoder skipped pictures (its queue was late by
  // more than a frame) sends them before the next one instead of waiting for a keyframe.
  static constexpr size_t kRecentPictures = 64;
  // `layer`: RelayedPicture::layer (sequences are per layer).
  virtual bool Recent(uint32_t layer, uint64_t sequence, RelayedPicture* out) = 0;
  // Any thread. The simulcast layers, smallest first (empty: no simulcast).
  virtual std::vector<RelayedLayer> Layers() { return {}; }
  // Any thread. Asks the publisher for a keyframe of one layer; coalesced per layer.
  virtual void RequestLayerKeyFrame(uint32_t layer) { RequestKeyFrame(); }
};

class EncodedFrameBuffer : public webrtc::VideoFrameBuffer {
 public:
  using Picture = RelayedPicture;

  EncodedFrameBuffer(Picture picture, rtc::scoped_refptr<EncodedFrameOrigin> origin);
  ~EncodedFrameBuffer() override;

  // The buffer inside `buffer` if it is one of ours, else null.
  static EncodedFrameBuffer* From(webrtc::VideoFrameBuffer* buffer);

  const Picture& picture() const { return picture_; }
  EncodedFrameOrigin* origin() const { return origin_.get(); }

  Type type() const override { return Type::kNative; }
  int width() const override { return picture_.stream_width > 0 ? picture_.stream_width : picture_.width; }
  int height() const override { return picture_.stream_height > 0 ? picture_.stream_height : picture_.height; }
  // The relay's latest decoded picture scaled to width() x height(); null if there is none.
  rtc::scoped_refptr<webrtc::I420BufferInterface> ToI420() override;

 private:
  Picture picture_;
  rtc::scoped_refptr<EncodedFrameOrigin> origin_;
};

}  // namespace nlw
