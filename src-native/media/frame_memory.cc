#include "media/frame_memory.h"

#include <algorithm>
#include <memory>

#include "api/video/i420_buffer.h"

namespace nlw {

namespace {

std::atomic<int64_t> lent{0};

template <typename T>
struct Held {
  T value;
};

template <typename T>
void Release(napi_env, void*, void* hint) {
  delete static_cast<Held<T>*>(hint);
  lent.fetch_sub(1);
}

template <typename T>
Napi::ArrayBuffer Lend(Napi::Env env, T value, void* data, size_t size) {
  auto* held = new Held<T>{std::move(value)};
  napi_value ab = nullptr;
  if (napi_create_external_arraybuffer(env, data, size, &Release<T>, held, &ab) != napi_ok) {
    delete held;
    // Where external memory is not allowed (V8 sandbox), a copy.
    Napi::Env e = env;
    if (e.IsExceptionPending()) e.GetAndClearPendingException();
    Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, size);
    std::copy_n(static_cast<const uint8_t*>(data), size, static_cast<uint8_t*>(copy.Data()));
    return copy;
  }
  lent.fetch_add(1);
  return Napi::ArrayBuffer(env, ab);
}

}  // namespace

I420View LendI420(Napi::Env env, const rtc::scoped_refptr<webrtc::VideoFrameBuffer>& buffer) {
  rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = buffer->ToI420();
  const int w = i420->width(), h = i420->height();
  const int ch = i420->ChromaHeight();
  const uint8_t* planes[3] = {i420->DataY(), i420->DataU(), i420->DataV()};
  const int strides[3] = {i420->StrideY(), i420->StrideU(), i420->StrideV()};
  const int rows[3] = {h, ch, ch};
  const uint8_t* lo = planes[0];
  const uint8_t* hi = planes[0];
  size_t tight = 0;
  for (int i = 0; i < 3; i++) {
    lo = std::min(lo, planes[i]);
    hi = std::max(hi, planes[i] + static_cast<size_t>(strides[i]) * rows[i]);
    tight += static_cast<size_t>(strides[i]) * rows[i];
  }
  // Planes in one block (a decoder's frame or an I420Buffer): lend the block. Otherwise copy.
  if (static_cast<size_t>(hi - lo) > 2 * tight) {
    i420 = webrtc::I420Buffer::Copy(*i420);
    return LendI420(env, i420);
  }
  I420View view{Lend(env, i420, const_cast<uint8_t*>(lo), static_cast<size_t>(hi - lo)), {}, {}, w, h};
  for (int i = 0; i < 3; i++) {
    view.offsets[i] = static_cast<size_t>(planes[i] - lo);
    view.strides[i] = strides[i];
  }
  return view;
}

Napi::ArrayBuffer LendSamples(Napi::Env env, std::vector<int16_t>&& samples) {
  auto owned = std::make_unique<std::vector<int16_t>>(std::move(samples));
  void* data = owned->data();
  const size_t size = owned->size() * sizeof(int16_t);
  return Lend(env, std::move(owned), data, size);
}

Napi::Value DetachArrayBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool detachable = false;
  if (info.Length() > 0 && info[0].IsArrayBuffer() &&
      napi_is_detached_arraybuffer(env, info[0], &detachable) == napi_ok && !detachable) {
    napi_detach_arraybuffer(env, info[0]);
  }
  return env.Undefined();
}

int64_t LentFrameBuffers() { return lent.load(); }

}  // namespace nlw
