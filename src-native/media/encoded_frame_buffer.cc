#include "media/encoded_frame_buffer.h"

#include <mutex>
#include <unordered_set>

#include "api/video/i420_buffer.h"

namespace nlw {

namespace {
// The live buffers of ours: kNative buffers may come from elsewhere, and the node-gyp build has no
// RTTI (no dynamic_cast), so From() asks this set. Never destroyed: frames may outlive statics.
struct LiveBuffers {
  std::mutex mu;
  std::unordered_set<const webrtc::VideoFrameBuffer*> set;
};
LiveBuffers& Live() {
  static LiveBuffers* live = new LiveBuffers();
  return *live;
}
}  // namespace

EncodedFrameBuffer::EncodedFrameBuffer(Picture picture, rtc::scoped_refptr<EncodedFrameOrigin> origin)
    : picture_(std::move(picture)), origin_(std::move(origin)) {
  std::lock_guard<std::mutex> lock(Live().mu);
  Live().set.insert(this);
}

EncodedFrameBuffer::~EncodedFrameBuffer() {
  std::lock_guard<std::mutex> lock(Live().mu);
  Live().set.erase(this);
}

EncodedFrameBuffer* EncodedFrameBuffer::From(webrtc::VideoFrameBuffer* buffer) {
  if (buffer == nullptr || buffer->type() != Type::kNative) return nullptr;
  std::lock_guard<std::mutex> lock(Live().mu);
  return Live().set.count(buffer) ? static_cast<EncodedFrameBuffer*>(buffer) : nullptr;
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
