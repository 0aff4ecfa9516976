#include "media/frame_memory.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_map>

#include "api/video/i420_buffer.h"
#include "common_video/include/video_frame_buffer_pool.h"

namespace nlw {

namespace {

// What a lent ArrayBuffer holds. Drop() lets go of the memory's owner at once (close()); the
// ArrayBuffer is detached first, so nothing reads it after. The finalizer (when V8 lets go of the
// ArrayBuffer, later) deletes what is left.
struct Lent {
  virtual ~Lent() = default;
  virtual void Drop() = 0;
  virtual rtc::scoped_refptr<webrtc::I420BufferInterface> I420() const { return nullptr; }
  const void* data = nullptr;
  bool dropped = false;
};

template <typename T>
struct Held : Lent {
  explicit Held(T v) : value(std::move(v)) {}
  void Drop() override { value = T(); }
  rtc::scoped_refptr<webrtc::I420BufferInterface> I420() const override {
    if constexpr (std::is_same_v<T, rtc::scoped_refptr<webrtc::I420BufferInterface>>) return value;
    return nullptr;
  }
  T value;
};

// Lent memory by address, for DetachArrayBuffer (any environment: the addresses are unique while
// lent; a stale entry whose memory was dropped and reused is replaced by the new one).
std::mutex lent_mu;
std::unordered_map<const void*, Lent*>& LentByAddress() {
  static auto* map = new std::unordered_map<const void*, Lent*>();
  return *map;
}
std::atomic<int64_t> lent_count{0};

void DropLocked(Lent* l) {
  if (l->dropped) return;
  l->dropped = true;
  l->Drop();
  lent_count.fetch_sub(1);
}

void Finalize(napi_env, void*, void* hint) {
  auto* l = static_cast<Lent*>(hint);
  {
    std::lock_guard<std::mutex> lock(lent_mu);
    auto& map = LentByAddress();
    auto it = map.find(l->data);
    if (it != map.end() && it->second == l) map.erase(it);
    DropLocked(l);
  }
  delete l;
}

template <typename T>
Napi::ArrayBuffer Lend(Napi::Env env, T value, void* data, size_t size) {
  auto* held = new Held<T>(std::move(value));
  held->data = data;
  napi_value ab = nullptr;
  if (data == nullptr || size == 0 ||
      napi_create_external_arraybuffer(env, data, size, &Finalize, held, &ab) != napi_ok) {
    delete held;
    // Nothing to lend, or external memory is not allowed (V8 sandbox): a copy.
    Napi::Env e = env;
    if (e.IsExceptionPending()) e.GetAndClearPendingException();
    Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, size);
    if (size > 0) std::copy_n(static_cast<const uint8_t*>(data), size, static_cast<uint8_t*>(copy.Data()));
    return copy;
  }
  {
    std::lock_guard<std::mutex> lock(lent_mu);
    LentByAddress()[data] = held;
  }
  lent_count.fetch_add(1);
  return Napi::ArrayBuffer(env, ab);
}

}  // namespace

absl::optional<I420View> LendI420(Napi::Env env, const rtc::scoped_refptr<webrtc::VideoFrameBuffer>& buffer) {
  if (!buffer) return absl::nullopt;
  rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = buffer->ToI420();
  if (!i420) return absl::nullopt;
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
  // (Held as the I420 form: the original buffer may be a different type.)
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
  bool detached = true;
  if (info.Length() == 0 || !info[0].IsArrayBuffer() || napi_is_detached_arraybuffer(env, info[0], &detached) != napi_ok ||
      detached) {
    return env.Undefined();
  }
  const void* data = info[0].As<Napi::ArrayBuffer>().Data();
  napi_detach_arraybuffer(env, info[0]);
  if (data == nullptr) return env.Undefined();
  std::lock_guard<std::mutex> lock(lent_mu);
  auto& map = LentByAddress();
  auto it = map.find(data);
  if (it == map.end()) return env.Undefined();
  DropLocked(it->second);  // the buffer goes back to its pool (or is freed) now
  map.erase(it);
  return env.Undefined();
}

int64_t LentFrameBuffers() { return lent_count.load(); }

Napi::Value NewI420Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int w = info.Length() > 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  const int h = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return env.Undefined();
  // One pool per JS thread (main thread, each Worker): VideoFrameBufferPool is not thread-safe;
  // its buffers are refcounted, so they may be let go of on any thread.
  static thread_local webrtc::VideoFrameBufferPool pool(false, 64);
  rtc::scoped_refptr<webrtc::I420Buffer> buffer = pool.CreateI420Buffer(w, h);
  if (!buffer) return env.Undefined();  // all 64 held: the caller uses plain memory
  const size_t size = static_cast<size_t>(w) * h + 2 * static_cast<size_t>(buffer->ChromaWidth()) * buffer->ChromaHeight();
  if (buffer->StrideY() != w || buffer->StrideU() != buffer->ChromaWidth() || buffer->DataU() != buffer->DataY() + static_cast<size_t>(w) * h ||
      buffer->DataV() != buffer->DataU() + static_cast<size_t>(buffer->ChromaWidth()) * buffer->ChromaHeight()) {
    return env.Undefined();
  }
  rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = buffer;
  return Lend(env, i420, buffer->MutableDataY(), size);
}

rtc::scoped_refptr<webrtc::I420BufferInterface> LentI420At(const void* data, size_t size, int width, int height) {
  std::lock_guard<std::mutex> lock(lent_mu);
  auto& map = LentByAddress();
  auto it = map.find(data);
  if (it == map.end() || it->second->dropped) return nullptr;
  rtc::scoped_refptr<webrtc::I420BufferInterface> i420 = it->second->I420();
  if (!i420 || i420->DataY() != data || i420->width() != width || i420->height() != height) return nullptr;
  const int cw = i420->ChromaWidth(), ch = i420->ChromaHeight();
  const uint8_t* y = i420->DataY();
  const size_t y_size = static_cast<size_t>(width) * height, c_size = static_cast<size_t>(cw) * ch;
  const bool packed = i420->StrideY() == width && i420->StrideU() == cw && i420->StrideV() == cw &&
                      i420->DataU() == y + y_size && i420->DataV() == y + y_size + c_size;
  if (!packed || size < y_size + 2 * c_size) return nullptr;
  return i420;
}

}  // namespace nlw
