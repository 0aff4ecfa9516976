#include "wrap/track_sinks.h"

#include <cstring>

#include "addon.h"
#include "media/demand_audio_mixer.h"
#include "api/video/i420_buffer.h"
#include "media/frame_memory.h"
#include "wrap/media_stream_track.h"

namespace nlw {

namespace {
constexpr size_t kMaxQueuedAudioChunks = 100;  // one second of 10 ms chunks

void CopyPlane(uint8_t* dst, const uint8_t* src, int stride, int width, int height) {
  for (int y = 0; y < height; y++) memcpy(dst + static_cast<size_t>(y) * width, src + static_cast<size_t>(y) * stride, width);
}
}  // namespace

SinkCore::SinkCore(std::shared_ptr<Dispatcher> dispatcher, rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track,
                   std::shared_ptr<std::atomic<bool>> enabled)
    : dispatcher_(std::move(dispatcher)),
      track_(std::move(track)),
      video_(track_->kind() == webrtc::MediaStreamTrackInterface::kVideoKind),
      enabled_(std::move(enabled)),
      link_(std::make_shared<Link<TrackSink>>()) {}

void SinkCore::Start() {
  started_ = true;
  consumer_.Attach(track_.get(), this);
}

void SinkCore::Stop() {
  if (!started_) return;
  started_ = false;
  consumer_.Detach(track_.get(), this);  // waits for a delivery to this sink in progress
  track_ = nullptr;
  link_->target = nullptr;
}

void SinkCore::OnFrame(const webrtc::VideoFrame& frame) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_frame_ = frame;  // replaces a frame JS has not taken yet
  if (posted_) return;
  posted_ = true;
  dispatcher_->Post([self = shared_from_this()](Napi::Env env) { self->DeliverVideo(env); });
}

void SinkCore::OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
                      size_t number_of_frames) {
  if (bits_per_sample != 16 || DemandAudioMixer::Draining()) return;  // a backlog nobody hears
  AudioChunk chunk{std::vector<int16_t>(number_of_channels * number_of_frames), sample_rate, number_of_channels,
                   number_of_frames};
  // Disabled: the zeros the vector holds already.
  if (!enabled_ || enabled_->load()) memcpy(chunk.samples.data(), audio_data, chunk.samples.size() * sizeof(int16_t));
  std::lock_guard<std::mutex> lock(mu_);
  pending_audio_.push_back(std::move(chunk));
  if (pending_audio_.size() > kMaxQueuedAudioChunks) pending_audio_.pop_front();
  if (posted_) return;
  posted_ = true;
  dispatcher_->Post([self = shared_from_this()](Napi::Env env) { self->DeliverAudio(env); });
}

void SinkCore::DeliverVideo(Napi::Env env) {
  absl::optional<webrtc::VideoFrame> frame;
  {
    std::lock_guard<std::mutex> lock(mu_);
    frame.swap(pending_frame_);
    posted_ = false;
  }
  TrackSink* sink = link_->target;
  if (sink == nullptr || !frame) return;
  absl::optional<I420View> view = LendI420(env, frame->video_frame_buffer());
  if (!view) return;
  const int w = view->width, h = view->height;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  const size_t y_size = static_cast<size_t>(w) * h, c_size = static_cast<size_t>(cw) * ch;
  const size_t size = y_size + 2 * c_size;
  // The frame's own planes when they lie packed as @roamhq/wrtc's layout (a decoder's or a
  // source's pooled I420 buffer: no copy; the buffer goes back to its pool when V8 collects the
  // ArrayBuffer). Otherwise the planes are copied into a new packed one.
  Napi::ArrayBuffer ab = view->data;
  const bool packed = view->offsets[0] == 0 && view->offsets[1] == y_size && view->offsets[2] == y_size + c_size &&
                      view->strides[0] == w && view->strides[1] == cw && view->strides[2] == cw && ab.ByteLength() >= size;
  if (!packed) {
    const auto* src = static_cast<const uint8_t*>(ab.Data());
    ab = Napi::ArrayBuffer::New(env, size);
    auto* dst = static_cast<uint8_t*>(ab.Data());
    CopyPlane(dst, src + view->offsets[0], view->strides[0], w, h);
    CopyPlane(dst + y_size, src + view->offsets[1], view->strides[1], cw, ch);
    CopyPlane(dst + y_size + c_size, src + view->offsets[2], view->strides[2], cw, ch);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("width", w);
  o.Set("height", h);
  o.Set("data", Napi::TypedArrayOf<uint8_t>::New(env, size, ab, 0, napi_uint8_clamped_array));
  o.Set("rotation", static_cast<int>(frame->rotation()));
  o.Set("timestamp", static_cast<double>(frame->timestamp_us()));  // capture time, microseconds
  sink->Emit({Napi::String::New(env, "frame"), o});
}

void SinkCore::DeliverAudio(Napi::Env env) {
  std::deque<AudioChunk> chunks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    chunks.swap(pending_audio_);
    posted_ = false;
  }
  for (AudioChunk& c : chunks) {
    TrackSink* sink = link_->target;  // a handler may stop the sink
    if (sink == nullptr) return;
    Napi::HandleScope scope(env);
    Napi::Int16Array samples = Napi::Int16Array::New(env, c.samples.size());
    memcpy(samples.Data(), c.samples.data(), c.samples.size() * sizeof(int16_t));
    Napi::Object o = Napi::Object::New(env);
    o.Set("samples", samples);
    o.Set("sampleRate", c.sample_rate);
    o.Set("bitsPerSample", 16);
    o.Set("channelCount", static_cast<double>(c.channels));
    o.Set("numberOfFrames", static_cast<double>(c.frames));
    sink->Emit({Napi::String::New(env, "data"), o});
  }
}

Napi::Function TrackSink::Define(Napi::Env env) {
  return DefineClass(env, "NativeTrackSink", {InstanceMethod<&TrackSink::Stop>("stop")});
}

TrackSink::TrackSink(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrackSink>(info) {
  Napi::Env env = info.Env();
  MediaStreamTrack* track = info.Length() > 0 ? MediaStreamTrack::Unwrap(info[0]) : nullptr;
  if (track == nullptr || !track->track() || info.Length() < 2 || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "NativeTrackSink(track, onEvent): a live NativeMediaStreamTrack and a function")
        .ThrowAsJavaScriptException();
    return;
  }
  runtime_ = Addon::Of(env)->runtime();
  on_event_ = Napi::Persistent(info[1].As<Napi::Function>());
  core_ = std::make_shared<SinkCore>(runtime_->dispatcher(), track->track(), track->enabled_flag());
  core_->link()->target = this;
  core_->Start();
  runtime_->RegisterSink(this);
}

TrackSink::~TrackSink() { ReleaseNative(); }

void TrackSink::ReleaseNative() {
  on_event_.Reset();
  if (!core_) return;
  runtime_->Unregister(this);
  core_->Stop();
  core_.reset();
}

void TrackSink::Stop(const Napi::CallbackInfo&) { ReleaseNative(); }

void TrackSink::Emit(std::initializer_list<napi_value> args) {
  if (on_event_.IsEmpty()) return;
  on_event_.Call(args);
}

}  // namespace nlw
