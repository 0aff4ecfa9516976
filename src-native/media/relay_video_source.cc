#include "media/relay_video_source.h"

#include <algorithm>

#include "api/video/video_frame.h"
#include "rtc_base/ref_counted_object.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

constexpr int64_t kKeyFrameRequestIntervalMs = 300;
constexpr int64_t kWatchIntervalMs = 1000;
// Pictures the track must have received in a watch interval, with no encoded one, to re-subscribe
// (a stream of 1 picture/s, a static screen, never looks silent).
constexpr uint64_t kSilentPictures = 3;
std::atomic<uint64_t> g_keyframe_requests{0};
std::atomic<uint64_t> g_resubscribes{0};
std::atomic<uint64_t> g_live{0};
std::atomic<uint64_t> g_relayed{0};
std::atomic<uint64_t> g_layer_pictures{0};

// The profile of the first H.264 sequence parameter set in an Annex B picture, if it has one.
bool FindH264Profile(const uint8_t* data, size_t size, H264StreamProfile* out) {
  for (size_t i = 0; i + 6 < size; ++i) {
    if (data[i] != 0 || data[i + 1] != 0 || data[i + 2] != 1) continue;
    const uint8_t nal_type = data[i + 3] & 0x1f;
    if (nal_type == 7) {  // SPS: profile_idc, constraint flags, level_idc
      out->profile_idc = data[i + 4];
      out->constraint_flags = data[i + 5];
      return true;
    }
  }
  return false;
}

}  // namespace

uint64_t RelayVideoSource::keyframe_requests() { return g_keyframe_requests.load(); }
uint64_t RelayVideoSource::live() { return g_live.load(); }
uint64_t RelayVideoSource::resubscribes() { return g_resubscribes.load(); }
uint64_t RelayVideoSource::relayed_pictures() { return g_relayed.load(); }
uint64_t RelayVideoSource::layer_pictures() { return g_layer_pictures.load(); }


rtc::scoped_refptr<RelayVideoSource> RelayVideoSource::Create(rtc::scoped_refptr<webrtc::VideoTrackInterface> from,
                                                              rtc::Thread* home) {
  // Not make_ref_counted: with two RefCountInterface bases it cannot tell the class is one.
  rtc::scoped_refptr<RelayVideoSource> source(new rtc::RefCountedObject<RelayVideoSource>(from, home));
  source->gate_ = DecodeGate::Find(from.get());
  // Pictures first: an encoder that falls back finds one as soon as possible (decoded keyframes
  // at least, every picture once it asks: media/decode_gate.h).
  from->AddOrUpdateSink(&source->picture_sink_, rtc::VideoSinkWants());
  if (source->from_source_) source->from_source_->AddEncodedSink(&source->encoded_sink_);
  source->AttachLayers();
  // The remote source asks the publisher for a keyframe when its first encoded sink comes; not for
  // a later one (a second relay source after a release): this one starts on a keyframe of its own.
  source->RequestKeyFrame();
  if (home != nullptr && source->gate_) {
    source->watch_->owner = source.get();
    ScheduleWatch(source->watch_, home);
  }
  return source;
}

void RelayVideoSource::ScheduleWatch(std::shared_ptr<Watch> watch, rtc::Thread* home) {
  home->PostDelayedTask(
      [watch, home]() mutable {
        std::lock_guard<std::mutex> lock(watch->mu);
        if (watch->owner == nullptr) return;  // detached or gone: the watch ends
        watch->owner->CheckEncodedSink();
        ScheduleWatch(std::move(watch), home);
      },
      webrtc::TimeDelta::Millis(kWatchIntervalMs));
}

void RelayVideoSource::CheckEncodedSink() {
  // The layers' streams come after the answer: the source takes their pictures from then on.
  if (simulcast_.load() || AttachLayers()) return;
  rtc::scoped_refptr<webrtc::VideoTrackInterface> from;
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source;
  {
    std::lock_guard<std::mutex> lock(mu_);
    from = from_;
    source = from_source_;
  }
  const uint64_t pictures = gate_->pictures();
  const uint64_t encoded = encoded_count_.load();
  const bool silent = encoded == watched_encoded_ && pictures - watched_pictures_ >= kSilentPictures;
  watched_pictures_ = pictures;
  watched_encoded_ = encoded;
  if (!silent || !from || !source) return;
  // Pictures come and the receiver is live (it ends the track when it stops, on this thread):
  // its receive stream exists now. Both calls are direct (this is the source's worker thread);
  // the remote source enables its receiver's encoded output again when its first sink comes.
  if (from->state() != webrtc::MediaStreamTrackInterface::kLive || source->state() != kLive) return;
  source->RemoveEncodedSink(&encoded_sink_);
  source->AddEncodedSink(&encoded_sink_);
  g_resubscribes.fetch_add(1);
  g_keyframe_requests.fetch_add(1);
  last_request_ms_.store(rtc::TimeMillis());
  source->GenerateKeyFrame();
}

RelayVideoSource::RelayVideoSource(rtc::scoped_refptr<webrtc::VideoTrackInterface> from, rtc::Thread* home)
    : home_(home), from_(from), from_source_(from ? from->GetSource() : nullptr) {
  encoded_sink_.owner = this;
  picture_sink_.owner = this;
  layer_sink_.owner = this;
  g_live.fetch_add(1);
}

RelayVideoSource::~RelayVideoSource() {
  {
    std::lock_guard<std::mutex> lock(watch_->mu);
    watch_->owner = nullptr;
  }
  if (layers_) layers_->SetListener(nullptr);  // waits for a call under way
  g_live.fetch_sub(1);
}

void RelayVideoSource::Detach() {
  {
    std::lock_guard<std::mutex> lock(watch_->mu);  // a check under way ends first
    watch_->owner = nullptr;
  }
  rtc::scoped_refptr<webrtc::VideoTrackInterface> from;
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source;
  rtc::scoped_refptr<SimulcastLayers> layers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    from = std::move(from_);
    source = std::move(from_source_);
    layers = std::move(layers_);
    latest_ = nullptr;
  }
  if (layers) layers->SetListener(nullptr);
  {
    std::lock_guard<std::mutex> lock(recent_mu_);
    recent_.clear();
  }
  // After these return, the remote source calls neither sink again (both remove under its lock).
  if (source) source->RemoveEncodedSink(&encoded_sink_);
  if (from) from->RemoveSink(&picture_sink_);
  if (demanding_.exchange(false) && gate_) gate_->RemoveDemand();
}

void RelayVideoSource::RequestKeyFrame() {
  const int64_t now = rtc::TimeMillis();
  int64_t last = last_request_ms_.load();
  do {
    if (now - last < kKeyFrameRequestIntervalMs) return;
  } while (!last_request_ms_.compare_exchange_weak(last, now));
  if (home_ == nullptr) return;
  home_->PostTask([self = rtc::scoped_refptr<RelayVideoSource>(this)] { self->GenerateUpstream(); });
}

void RelayVideoSource::GenerateUpstream() {
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source;
  {
    std::lock_guard<std::mutex> lock(mu_);
    source = from_source_;
  }
  if (!source) return;
  if (simulcast_.load()) {
    for (const RelayedLayer& l : Layers()) RequestLayerKeyFrame(l.layer);
    return;
  }
  g_keyframe_requests.fetch_add(1);
  source->GenerateKeyFrame();  // on its own thread: a direct call through the proxy
}

rtc::scoped_refptr<webrtc::I420BufferInterface> RelayVideoSource::LatestPicture() {
  last_picture_ask_ms_.store(rtc::TimeMillis());
  if (gate_ && !demanding_.exchange(true)) gate_->AddDemand();
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

bool RelayVideoSource::Recent(uint32_t layer, uint64_t sequence, RelayedPicture* out) {
  std::lock_guard<std::mutex> lock(recent_mu_);
  auto ring = recent_.find(layer);
  if (ring == recent_.end()) return false;
  const RelayedPicture& p = ring->second[sequence % kRecentPictures];
  if (p.sequence != sequence || !p.data) return false;
  *out = p;
  return true;
}

void RelayVideoSource::OnDecoded(const webrtc::VideoFrame& frame) {
  // Kept as it came (a reference, no copy); converted only when an encoder asks for it.
  rtc::scoped_refptr<webrtc::VideoFrameBuffer> buffer = frame.video_frame_buffer();
  rtc::scoped_refptr<webrtc::I420BufferInterface> i420 =
      buffer->type() == webrtc::VideoFrameBuffer::Type::kI420 ? buffer->ToI420() : nullptr;
  if (!i420) return;  // decoded pictures of our decoders are I420
  std::lock_guard<std::mutex> lock(mu_);
  if (from_) latest_ = std::move(i420);
}

void RelayVideoSource::StopDemandIfIdle() {
  constexpr int64_t kIdleMs = 2000;
  if (!demanding_.load() || rtc::TimeMillis() - last_picture_ask_ms_.load() < kIdleMs) return;
  if (demanding_.exchange(false) && gate_) gate_->RemoveDemand();
}

void RelayVideoSource::OnEncoded(const webrtc::RecordableEncodedFrame& frame) {
  encoded_count_.fetch_add(1, std::memory_order_relaxed);
  StopDemandIfIdle();
  if (simulcast_.load()) return;  // the default stream, before or between the layers' own
  rtc::scoped_refptr<const webrtc::EncodedImageBufferInterface> data = frame.encoded_buffer();
  if (!data || data->size() == 0) return;
  const bool key = frame.is_key_frame();
  if (key) {
    seen_key_ = true;
    webrtc::RecordableEncodedFrame::EncodedResolution r = frame.resolution();
    if (!r.empty()) {
      width_ = static_cast<int>(r.width);
      height_ = static_cast<int>(r.height);
    }
    if (frame.codec() == webrtc::kVideoCodecH264) FindH264Profile(data->data(), data->size(), &h264_);
  }
  if (!seen_key_) return;  // a new subscriber must not start on a delta picture
  if (width_ <= 0 || height_ <= 0) {
    rtc::scoped_refptr<webrtc::I420BufferInterface> latest = LatestPicture();
    if (!latest) return;
    width_ = latest->width();
    height_ = latest->height();
  }
  EncodedFrameBuffer::Picture picture;
  picture.data = std::move(data);
  picture.codec = frame.codec();
  picture.key_frame = key;
  picture.width = width_;
  picture.height = height_;
  picture.sequence = ++sequence_;
  picture.h264 = h264_;
  Emit(std::move(picture));
}

void RelayVideoSource::Emit(RelayedPicture picture) {
  // Capture times must grow by at least 1 ms: a sender drops a frame whose time is not after the
  // previous one's.
  const int64_t now_us = std::max(rtc::TimeMicros(), last_timestamp_us_ + rtc::kNumMicrosecsPerMillisec);
  last_timestamp_us_ = now_us;
  picture.capture_time_us = now_us;
  {
    std::lock_guard<std::mutex> lock(recent_mu_);
    recent_[picture.layer][picture.sequence % kRecentPictures] = picture;
  }
  webrtc::VideoFrame out =
      webrtc::VideoFrame::Builder()
          .set_video_frame_buffer(rtc::make_ref_counted<EncodedFrameBuffer>(
              std::move(picture), rtc::scoped_refptr<EncodedFrameOrigin>(this)))
          .set_timestamp_us(now_us)
          .set_rotation(webrtc::kVideoRotation_0)
          .build();
  g_relayed.fetch_add(1);
  broadcaster_.OnFrame(out);
}

}  // namespace nlw

namespace nlw {

bool RelayVideoSource::AttachLayers() {
  rtc::scoped_refptr<SimulcastLayers> layers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (layers_ || !from_source_) return layers_ != nullptr;
    layers = SimulcastLayers::Find(from_source_.get());
    if (!layers) return false;
    layers_ = layers;
  }
  layers->SetListener(&layer_sink_);
  simulcast_.store(true);
  for (const SimulcastLayers::Layer& l : layers->Layers()) layers->RequestKeyFrame(l.ssrc);
  return true;
}

std::vector<RelayedLayer> RelayVideoSource::Layers() {
  rtc::scoped_refptr<SimulcastLayers> layers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    layers = layers_;
  }
  std::vector<RelayedLayer> out;
  if (!layers) return out;
  for (const SimulcastLayers::Layer& l : layers->Layers()) {
    RelayedLayer r;
    r.layer = l.ssrc;
    r.bitrate_bps = l.bitrate_bps;
    out.push_back(r);
  }
  return out;
}

void RelayVideoSource::RequestLayerKeyFrame(uint32_t layer) {
  const int64_t now = rtc::TimeMillis();
  {
    std::lock_guard<std::mutex> lock(layer_request_mu_);
    auto it = layer_request_ms_.find(layer);
    if (it != layer_request_ms_.end() && now - it->second < kKeyFrameRequestIntervalMs) return;
    layer_request_ms_[layer] = now;
  }
  rtc::scoped_refptr<SimulcastLayers> layers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    layers = layers_;
  }
  if (!layers) return;
  g_keyframe_requests.fetch_add(1);
  layers->RequestKeyFrame(layer);
}

void RelayVideoSource::OnLayer(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame) {
  rtc::scoped_refptr<const webrtc::EncodedImageBufferInterface> data = frame.encoded_buffer();
  if (!data || data->size() == 0) return;
  g_layer_pictures.fetch_add(1, std::memory_order_relaxed);
  LayerState& state = layer_state_[ssrc];
  const bool key = frame.is_key_frame();
  if (key) {
    state.seen_key = true;
    webrtc::RecordableEncodedFrame::EncodedResolution r = frame.resolution();
    if (!r.empty()) {
      state.width = static_cast<int>(r.width);
      state.height = static_cast<int>(r.height);
      if (state.width * state.height > stream_width_ * stream_height_) {
        stream_width_ = state.width;
        stream_height_ = state.height;
      }
    }
    if (frame.codec() == webrtc::kVideoCodecH264) FindH264Profile(data->data(), data->size(), &state.h264);
  }
  if (!state.seen_key || state.width <= 0 || state.height <= 0) return;
  EncodedFrameBuffer::Picture picture;
  picture.data = std::move(data);
  picture.codec = frame.codec();
  picture.key_frame = key;
  picture.width = state.width;
  picture.height = state.height;
  picture.sequence = ++state.sequence;
  picture.h264 = state.h264;
  picture.layer = ssrc;
  picture.stream_width = stream_width_;
  picture.stream_height = stream_height_;
  Emit(std::move(picture));
}

}  // namespace nlw
