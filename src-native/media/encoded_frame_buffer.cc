#include "media/encoded_frame_buffer.h"

#include "api/video/i420_buffer.h"

namespace nlw {

EncodedFrameBuffer::EncodedFrameBuffer(Picture picture, rtc::scoped_refptr<EncodedFrameOrigin> origin)
    : picture_(std::move(picture)), origin_(std::move(origin)) {}

EncodedFrameBuffer* EncodedFrameBuffer::From(webrtc::VideoFrameBuffer* buffer) {
  if (buffer == nullptr || buffer->type() != Type::kNative) return nullptr;
  return dynamic_cast<EncodedFrameBuffer*>(buffer);
}

rtc::scoped_refptr<webrtc::I420BufferInterface> EncodedFrameBuffer::ToI420() {
  rtc::scoped_refptr<webrtc::I420BufferInterface> latest = origin_ ? origin_->LatestPicture() : nullptr;
  if (!latest || width() <= 0 || height() <= 0) return latest;
  if (latest->width() == width() && latest->height() == height()) return latest;
  rtc::scoped_refptr<webrtc::I420Buffer> scaled = webrtc::I420Buffer::Create(width(), height());
  scaled->ScaleFrom(*latest);
  return scaled;
}

}  // namespace nlw
