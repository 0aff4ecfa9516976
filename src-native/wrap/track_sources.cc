#include "wrap/track_sources.h"

#include <string>

#include "addon.h"
#include "api/video/i420_buffer.h"
#include "convert/bytes.h"
#include "media/frame_memory.h"
#include "common_video/include/video_frame_buffer_pool.h"
#include "libyuv/convert.h"
#include "libyuv/convert_argb.h"

namespace nlw {

namespace {

int IntArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().Int32Value() : 0;
}

// A capture time in µs from JS (checked there: 0 to 2^53). Anything else is no timestamp (the
// source's clock): a larger one overflows libwebrtc's int64 ms/µs conversions (a live DCHECK).
absl::optional<int64_t> OptionalMicros(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) return absl::nullopt;
  const double us = info[i].As<Napi::Number>().DoubleValue();
  if (!(us >= 0 && us <= 9007199254740991.0)) return absl::nullopt;
  return static_cast<int64_t>(us);
}

void ThrowType(Napi::Env env, const char* message) { Napi::TypeError::New(env, message).ThrowAsJavaScriptException(); }

webrtc::VideoRotation Rotation(int degrees) {
  switch (degrees) {
    case 90: return webrtc::kVideoRotation_90;
    case 180: return webrtc::kVideoRotation_180;
    case 270: return webrtc::kVideoRotation_270;
    default: return webrtc::kVideoRotation_0;
  }
}

// One copy (or conversion) of w x h pixels in `format` from JS memory into an I420 buffer of the
// source's pool (a new one when the pool is exhausted: frames held by JS keep theirs).
rtc::scoped_refptr<webrtc::VideoFrameBuffer> ToI420(webrtc::VideoFrameBufferPool& pool, const std::string& format,
                                                    const uint8_t* src, int w, int h) {
  rtc::scoped_refptr<webrtc::I420Buffer> out = pool.CreateI420Buffer(w, h);
  if (!out) out = webrtc::I420Buffer::Create(w, h);
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  const uint8_t* src_u = src + static_cast<size_t>(w) * h;
  int r = -1;
  if (format == "I420") {
    r = libyuv::I420Copy(src, w, src_u, cw, src_u + static_cast<size_t>(cw) * ch, cw, out->MutableDataY(),
                         out->StrideY(), out->MutableDataU(), out->StrideU(), out->MutableDataV(), out->StrideV(), w, h);
  } else if (format == "NV12") {
    r = libyuv::NV12ToI420(src, w, src_u, 2 * cw, out->MutableDataY(), out->StrideY(), out->MutableDataU(),
                           out->StrideU(), out->MutableDataV(), out->StrideV(), w, h);
  } else if (format == "RGBA") {  // libyuv names formats by word order: RGBA bytes are its "ABGR"
    r = libyuv::ABGRToI420(src, 4 * w, out->MutableDataY(), out->StrideY(), out->MutableDataU(), out->StrideU(),
                           out->MutableDataV(), out->StrideV(), w, h);
  } else if (format == "BGRA") {  // and BGRA bytes its "ARGB"
    r = libyuv::ARGBToI420(src, 4 * w, out->MutableDataY(), out->StrideY(), out->MutableDataU(), out->StrideU(),
                           out->MutableDataV(), out->StrideV(), w, h);
  }
  return r == 0 ? out : nullptr;
}

size_t FrameBytes(const std::string& format, int w, int h) {
  const size_t px = static_cast<size_t>(w) * h;
  if (format == "RGBA" || format == "BGRA") return 4 * px;
  return px + 2 * static_cast<size_t>((w + 1) / 2) * ((h + 1) / 2);
}

}  // namespace

Napi::Function VideoSource::Define(Napi::Env env) {
  return DefineClass(env, "NativeVideoSource",
                     {InstanceMethod<&VideoSource::CreateTrack>("createTrack"),
                      InstanceMethod<&VideoSource::OnFrame>("onFrame")});
}

VideoSource::VideoSource(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VideoSource>(info) {
  const bool screencast = info.Length() > 0 && info[0].ToBoolean().Value();
  absl::optional<bool> denoising;
  if (info.Length() > 1 && info[1].IsBoolean()) denoising = info[1].As<Napi::Boolean>().Value();
  runtime_ = Addon::Of(info.Env())->runtime();
  source_ = std::make_shared<SyntheticSource>();
  source_->pushed_video = PushedVideoSource::Create(screencast, denoising);
  // Reused buffers: a fresh 1280x720 allocation costs page faults on every frame (measured:
  // bench/frame-into-js.js). Buffers still held (by encoders, sinks, VideoFrames) are not reused.
  pool_ = std::make_unique<webrtc::VideoFrameBufferPool>(false, kMaxPooledFrames);
  runtime_->RegisterSource(this);
}

VideoSource::~VideoSource() { ReleaseNative(); }

void VideoSource::ReleaseNative() {
  if (!source_) return;
  runtime_->Unregister(this);
  source_.reset();  // tracks made from it keep it
}

Napi::Value VideoSource::CreateTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!source_) {
    Napi::Error::New(env, "the source has been released").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MediaStreamTrack::NewLocal(env, source_);
}

Napi::Value VideoSource::OnFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!source_) return Napi::Boolean::New(env, false);
  const int w = IntArg(info, 0), h = IntArg(info, 1);
  const std::string format = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "I420";
  const Bytes bytes = info.Length() > 3 ? BytesOf(info[3]) : Bytes{};
  if (w <= 0 || h <= 0 || bytes.data == nullptr || bytes.size < FrameBytes(format, w, h)) {
    ThrowType(env, "onFrame: a frame of that size does not fit its data");
    return env.Undefined();
  }
  source_->pushed_video->Push(w, h, Rotation(IntArg(info, 4)), OptionalMicros(info, 5),
                              [&]() -> rtc::scoped_refptr<webrtc::VideoFrameBuffer> {
                                // A VideoFrame's own memory (NewI420Memory): handed over as it is.
                                if (format == "I420") {
                                  if (auto lent = LentI420At(bytes.data, bytes.size, w, h)) return lent;
                                }
                                return ToI420(*pool_, format, bytes.data, w, h);
                              });
  return Napi::Boolean::New(env, true);
}

Napi::Function AudioSource::Define(Napi::Env env) {
  return DefineClass(env, "NativeAudioSource",
                     {InstanceMethod<&AudioSource::CreateTrack>("createTrack"),
                      InstanceMethod<&AudioSource::OnData>("onData")});
}

AudioSource::AudioSource(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AudioSource>(info) {
  runtime_ = Addon::Of(info.Env())->runtime();
  source_ = std::make_shared<SyntheticSource>();
  source_->pushed_audio = PushedAudioSource::Create();
  runtime_->RegisterSource(this);
}

AudioSource::~AudioSource() { ReleaseNative(); }

void AudioSource::ReleaseNative() {
  if (!source_) return;
  runtime_->Unregister(this);
  source_.reset();
}

Napi::Value AudioSource::CreateTrack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!source_) {
    Napi::Error::New(env, "the source has been released").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return MediaStreamTrack::NewLocal(env, source_);
}

Napi::Value AudioSource::OnData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!source_) return Napi::Boolean::New(env, false);
  const Bytes bytes = info.Length() > 0 ? BytesOf(info[0]) : Bytes{};
  const int rate = IntArg(info, 1), channels = IntArg(info, 2), frames = IntArg(info, 3);
  if (bytes.data == nullptr || rate <= 0 || rate % 100 != 0 || channels <= 0 || frames < 0 ||
      bytes.size < static_cast<size_t>(channels) * frames * sizeof(int16_t) ||
      reinterpret_cast<uintptr_t>(bytes.data) % alignof(int16_t) != 0) {
    ThrowType(env, "onData: the samples do not fit their description");
    return env.Undefined();
  }
  absl::optional<int64_t> us = OptionalMicros(info, 4);
  absl::optional<int64_t> ms;
  if (us) ms = *us / 1000;
  source_->pushed_audio->Push(reinterpret_cast<const int16_t*>(bytes.data), rate, static_cast<size_t>(channels),
                              static_cast<size_t>(frames), ms);
  return Napi::Boolean::New(env, true);
}

Napi::Value I420ToRgba(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bytes src = info.Length() > 0 ? BytesOf(info[0]) : Bytes{};
  const Bytes dst = info.Length() > 1 ? BytesOf(info[1]) : Bytes{};
  const int w = IntArg(info, 2), h = IntArg(info, 3);
  if (w <= 0 || h <= 0 || src.data == nullptr || dst.data == nullptr || src.size < FrameBytes("I420", w, h) ||
      dst.size < FrameBytes("RGBA", w, h)) {
    ThrowType(env, "i420ToRgba: the frames do not fit their size");
    return env.Undefined();
  }
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  const uint8_t* u = src.data + static_cast<size_t>(w) * h;
  const uint8_t* v = u + static_cast<size_t>(cw) * ch;
  libyuv::I420ToABGR(src.data, w, u, cw, v, cw, dst.data, 4 * w, w, h);
  return env.Undefined();
}

Napi::Value RgbaToI420(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Bytes src = info.Length() > 0 ? BytesOf(info[0]) : Bytes{};
  const Bytes dst = info.Length() > 1 ? BytesOf(info[1]) : Bytes{};
  const int w = IntArg(info, 2), h = IntArg(info, 3);
  if (w <= 0 || h <= 0 || src.data == nullptr || dst.data == nullptr || src.size < FrameBytes("RGBA", w, h) ||
      dst.size < FrameBytes("I420", w, h)) {
    ThrowType(env, "rgbaToI420: the frames do not fit their size");
    return env.Undefined();
  }
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  uint8_t* u = dst.data + static_cast<size_t>(w) * h;
  uint8_t* v = u + static_cast<size_t>(cw) * ch;
  libyuv::ABGRToI420(src.data, 4 * w, dst.data, w, u, cw, v, cw, w, h);
  return env.Undefined();
}

}  // namespace nlw
