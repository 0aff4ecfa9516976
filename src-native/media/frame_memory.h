// Media memory lent to JS without a copy: an external ArrayBuffer over a libwebrtc I420 buffer
// (or over samples we own), holding a reference to it. VideoFrame/AudioData close() calls
// detachArrayBuffer: the ArrayBuffer is detached and the reference dropped during the call (the
// buffer goes back to its decoder's or source's pool at once); otherwise the ArrayBuffer's
// finalizer drops it when V8 collects it.
#pragma once

#include <napi.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/types/optional.h"
#include "api/video/video_frame_buffer.h"

namespace nlw {

struct I420View {
  Napi::ArrayBuffer data;
  std::array<size_t, 3> offsets;
  std::array<int, 3> strides;
  int width, height;
};

// JS thread. The planes of `buffer` (converted to I420 first when it is not I420) in one
// ArrayBuffer. When the planes lie far apart in memory, they are copied into a new I420 buffer.
// None for a buffer that has no I420 form (a relay's encoded pass-through buffer).
absl::optional<I420View> LendI420(Napi::Env env, const rtc::scoped_refptr<webrtc::VideoFrameBuffer>& buffer);

// JS thread. `samples` moved into an ArrayBuffer (no copy).
Napi::ArrayBuffer LendSamples(Napi::Env env, std::vector<int16_t>&& samples);

// detachArrayBuffer(ab): JS thread. Detaches `ab` (VideoFrame/AudioData close()); for a lent
// one, drops the reference to its memory now.
Napi::Value DetachArrayBuffer(const Napi::CallbackInfo& info);

// i420Memory(width, height): JS thread. A packed I420 buffer (Y, U, V back to back, no padding)
// from this thread's pool, lent as an ArrayBuffer: a VideoFrame's own memory, so that writing the
// frame to a VideoTrackGenerator hands the buffer to libwebrtc without a copy (LentI420At).
// Undefined when the pool is exhausted.
Napi::Value NewI420Memory(const Napi::CallbackInfo& info);

// The lent I420 buffer whose planes start at `data`, when it is packed, of width x height, and
// `size` covers it; null otherwise (then the caller copies).
rtc::scoped_refptr<webrtc::I420BufferInterface> LentI420At(const void* data, size_t size, int width, int height);

// Any thread: media buffers lent to JS and not yet given back (all environments).
int64_t LentFrameBuffers();

}  // namespace nlw
