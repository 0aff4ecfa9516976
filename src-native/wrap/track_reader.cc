#include "wrap/track_reader.h"

#include <cstdlib>
#include <cstring>

#include "addon.h"
#include "media/demand_audio_mixer.h"
#include "media/frame_memory.h"
#include "rtc_base/time_utils.h"
#include "wrap/media_stream_track.h"

namespace nlw {

ReaderCore::ReaderCore(std::shared_ptr<Dispatcher> dispatcher,
                       rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track, size_t max_items,
                       std::shared_ptr<std::atomic<bool>> enabled)
    : dispatcher_(std::move(dispatcher)),
      track_(std::move(track)),
      video_(track_->kind() == webrtc::MediaStreamTrackInterface::kVideoKind),
      max_items_(max_items == 0 ? 1 : max_items),
      enabled_(std::move(enabled)),
      link_(std::make_shared<Link<TrackReader>>()) {}

void ReaderCore::Start() {
  started_ = true;
  consumer_.Attach(track_.get(), this);
}

void ReaderCore::Stop() {
  if (started_) {
    started_ = false;
    consumer_.Detach(track_.get(), this);  // waits for a delivery to this sink in progress
  }
  track_ = nullptr;
  link_->target = nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  frames_.clear();  // the decoder's buffers go back at once
  chunks_.clear();
}

void ReaderCore::NotifyLocked() {
  if (posted_) return;
  posted_ = true;
  dispatcher_->Post([self = shared_from_this()](Napi::Env) {
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->posted_ = false;
    }
    if (TrackReader* reader = self->link_->target) reader->Ready();
  });
}

void ReaderCore::OnFrame(const webrtc::VideoFrame& frame) {
  std::lock_guard<std::mutex> lock(mu_);
  frames_.push_back(frame);
  while (frames_.size() > max_items_) {
    frames_.pop_front();
    dropped_++;
  }
  NotifyLocked();
}

void ReaderCore::OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
                        size_t number_of_frames) {
  OnData(audio_data, bits_per_sample, sample_rate, number_of_channels, number_of_frames, absl::nullopt);
}

void ReaderCore::OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
                        size_t number_of_frames, absl::optional<int64_t> capture_ms) {
  if (bits_per_sample != 16 || sample_rate <= 0 || DemandAudioMixer::Draining()) return;
  // The capture time when the source knows it; otherwise a clock that starts at the first chunk's
  // arrival and advances by the chunks' durations (no jitter between consecutive chunks).
  int64_t ts;
  if (capture_ms) {
    ts = *capture_ms * 1000;
  } else {
    const int64_t now = rtc::TimeMicros();
    ts = next_audio_us_ && std::abs(*next_audio_us_ - now) < 100000 ? *next_audio_us_ : now;
  }
  next_audio_us_ = ts + static_cast<int64_t>(number_of_frames) * 1000000 / sample_rate;
  AudioChunk chunk{std::vector<int16_t>(number_of_channels * number_of_frames), sample_rate, number_of_channels,
                   number_of_frames, ts};
  // Disabled: the zeros the vector holds already.
  if (!enabled_ || enabled_->load()) memcpy(chunk.samples.data(), audio_data, chunk.samples.size() * sizeof(int16_t));
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.push_back(std::move(chunk));
  while (chunks_.size() > max_items_) {
    chunks_.pop_front();
    dropped_++;
  }
  NotifyLocked();
}

absl::optional<webrtc::VideoFrame> ReaderCore::TakeVideo() {
  std::lock_guard<std::mutex> lock(mu_);
  if (frames_.empty()) return absl::nullopt;
  absl::optional<webrtc::VideoFrame> f(std::move(frames_.front()));
  frames_.pop_front();
  return f;
}

absl::optional<ReaderCore::AudioChunk> ReaderCore::TakeAudio() {
  std::lock_guard<std::mutex> lock(mu_);
  if (chunks_.empty()) return absl::nullopt;
  absl::optional<AudioChunk> c(std::move(chunks_.front()));
  chunks_.pop_front();
  return c;
}

double ReaderCore::dropped() {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

Napi::Function TrackReader::Define(Napi::Env env) {
  return DefineClass(env, "NativeTrackReader",
                     {InstanceMethod<&TrackReader::Read>("read"), InstanceMethod<&TrackReader::Dropped>("dropped"),
                      InstanceMethod<&TrackReader::Stop>("stop")});
}

TrackReader::TrackReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrackReader>(info) {
  Napi::Env env = info.Env();
  MediaStreamTrack* track = info.Length() > 0 ? MediaStreamTrack::Unwrap(info[0]) : nullptr;
  if (track == nullptr || !track->track() || info.Length() < 3 || !info[1].IsNumber() || !info[2].IsFunction()) {
    Napi::TypeError::New(env, "NativeTrackReader(track, maxBufferSize, onReady): a live track, a number, a function")
        .ThrowAsJavaScriptException();
    return;
  }
  const double max = info[1].As<Napi::Number>().DoubleValue();
  runtime_ = Addon::Of(env)->runtime();
  on_ready_ = Napi::Persistent(info[2].As<Napi::Function>());
  core_ = std::make_shared<ReaderCore>(runtime_->dispatcher(), track->track(),
                                       max >= 1 && max < 1e6 ? static_cast<size_t>(max) : 1, track->enabled_flag());
  video_ = track->track()->kind() == webrtc::MediaStreamTrackInterface::kVideoKind;
  core_->link()->target = this;
  core_->Start();
  runtime_->RegisterSink(this);
}

TrackReader::~TrackReader() { ReleaseNative(); }

void TrackReader::ReleaseNative() {
  on_ready_.Reset();
  if (!core_) return;
  runtime_->Unregister(this);
  core_->Stop();
  core_.reset();
}

void TrackReader::Ready() {
  if (on_ready_.IsEmpty()) return;
  on_ready_.Call({});
}

Napi::Value TrackReader::Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  if (video_) {
    absl::optional<webrtc::VideoFrame> frame;
    absl::optional<I420View> lent;
    while (!lent) {  // frames without pixels (a relay's pass-through buffers) are skipped
      frame = core_->TakeVideo();
      if (!frame) return env.Undefined();
      lent = LendI420(env, frame->video_frame_buffer());
    }
    I420View& view = *lent;
    Napi::Array offsets = Napi::Array::New(env, 3), strides = Napi::Array::New(env, 3);
    for (uint32_t i = 0; i < 3; i++) {
      offsets.Set(i, static_cast<double>(view.offsets[i]));
      strides.Set(i, view.strides[i]);
    }
    o.Set("data", view.data);
    o.Set("offsets", offsets);
    o.Set("strides", strides);
    o.Set("codedWidth", view.width);
    o.Set("codedHeight", view.height);
    o.Set("timestamp", static_cast<double>(frame->timestamp_us()));
    o.Set("rotation", static_cast<int>(frame->rotation()));
    return o;
  }
  absl::optional<ReaderCore::AudioChunk> chunk = core_->TakeAudio();
  if (!chunk) return env.Undefined();
  o.Set("sampleRate", chunk->sample_rate);
  o.Set("numberOfChannels", static_cast<double>(chunk->channels));
  o.Set("numberOfFrames", static_cast<double>(chunk->frames));
  o.Set("timestamp", static_cast<double>(chunk->timestamp_us));
  o.Set("data", LendSamples(env, std::move(chunk->samples)));
  return o;
}

Napi::Value TrackReader::Dropped(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ ? core_->dropped() : 0);
}

void TrackReader::Stop(const Napi::CallbackInfo&) { ReleaseNative(); }

}  // namespace nlw
