#include "media/headless_audio_device.h"

#include <algorithm>

#include "api/make_ref_counted.h"
#include "api/units/time_delta.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {
constexpr int64_t kPeriodUs = 10000;
}  // namespace

HeadlessAudioDevice::HeadlessAudioDevice(webrtc::TaskQueueFactory* task_queue_factory)
    : task_queue_factory_(task_queue_factory), buffer_(kFramesPer10Ms * kChannels, 0) {}

HeadlessAudioDevice::~HeadlessAudioDevice() { Halt(); }

void HeadlessAudioDevice::Halt() {
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> queue;
  {
    webrtc::MutexLock lock(&mu_);
    halted_ = true;
    playing_ = false;
    generation_++;
    queue = std::move(queue_);
  }
  // Outside the lock: deleting the queue waits for a pull in progress, which takes the lock.
  queue.reset();
}

int32_t HeadlessAudioDevice::RegisterAudioCallback(webrtc::AudioTransport* transport) {
  webrtc::MutexLock lock(&mu_);
  transport_ = transport;
  return 0;
}

int32_t HeadlessAudioDevice::Init() {
  webrtc::MutexLock lock(&mu_);
  initialized_ = true;
  return 0;
}

int32_t HeadlessAudioDevice::Terminate() {
  StopPlayout();
  StopRecording();
  webrtc::MutexLock lock(&mu_);
  initialized_ = false;
  return 0;
}

bool HeadlessAudioDevice::Initialized() const {
  webrtc::MutexLock lock(&mu_);
  return initialized_;
}

int32_t HeadlessAudioDevice::PlayoutIsAvailable(bool* available) {
  *available = true;
  return 0;
}

int32_t HeadlessAudioDevice::InitPlayout() {
  webrtc::MutexLock lock(&mu_);
  playout_initialized_ = true;
  return 0;
}

bool HeadlessAudioDevice::PlayoutIsInitialized() const {
  webrtc::MutexLock lock(&mu_);
  return playout_initialized_;
}

int32_t HeadlessAudioDevice::StartPlayout() {
  webrtc::MutexLock lock(&mu_);
  if (halted_) return -1;
  if (playing_) return 0;
  playing_ = true;
  uint64_t generation = ++generation_;
  if (!queue_) {
    queue_ = task_queue_factory_->CreateTaskQueue("nlw-audio-playout",
                                                  webrtc::TaskQueueFactory::Priority::HIGH);
  }
  next_pull_us_ = rtc::TimeMicros();
  queue_->PostTask([this, generation] { Pull(generation); });
  return 0;
}

int32_t HeadlessAudioDevice::StopPlayout() {
  // Taking the lock waits for a pull in progress; the chain ends at its next task.
  webrtc::MutexLock lock(&mu_);
  playing_ = false;
  generation_++;
  return 0;
}

bool HeadlessAudioDevice::Playing() const {
  webrtc::MutexLock lock(&mu_);
  return playing_;
}

void HeadlessAudioDevice::Pull(uint64_t generation) {
  int64_t delay_us;
  {
    webrtc::MutexLock lock(&mu_);
    if (!playing_ || generation != generation_) return;
    if (transport_ != nullptr) {
      size_t samples_out = 0;
      int64_t elapsed_ms = -1, ntp_ms = -1;
      // Decodes and mixes 10 ms of every receiving stream; remote tracks' sinks get their PCM here.
      transport_->NeedMorePlayData(kFramesPer10Ms, sizeof(int16_t) * kChannels, kChannels, kSampleRate,
                                   buffer_.data(), samples_out, &elapsed_ms, &ntp_ms);
    }
    int64_t now = rtc::TimeMicros();
    next_pull_us_ += kPeriodUs;
    // Far behind (a stalled machine): start afresh rather than pull a burst.
    if (next_pull_us_ < now - 5 * kPeriodUs) next_pull_us_ = now;
    delay_us = std::max<int64_t>(0, next_pull_us_ - now);
  }
  webrtc::TaskQueueBase::Current()->PostDelayedHighPrecisionTask(
      [this, generation] { Pull(generation); }, webrtc::TimeDelta::Micros(delay_us));
}

int32_t HeadlessAudioDevice::RecordingIsAvailable(bool* available) {
  *available = true;
  return 0;
}

int32_t HeadlessAudioDevice::InitRecording() {
  webrtc::MutexLock lock(&mu_);
  recording_initialized_ = true;
  return 0;
}

bool HeadlessAudioDevice::RecordingIsInitialized() const {
  webrtc::MutexLock lock(&mu_);
  return recording_initialized_;
}

// "Recording" delivers nothing (see the header).
int32_t HeadlessAudioDevice::StartRecording() {
  webrtc::MutexLock lock(&mu_);
  recording_ = true;
  return 0;
}

int32_t HeadlessAudioDevice::StopRecording() {
  webrtc::MutexLock lock(&mu_);
  recording_ = false;
  return 0;
}

bool HeadlessAudioDevice::Recording() const {
  webrtc::MutexLock lock(&mu_);
  return recording_;
}

int32_t HeadlessAudioDevice::StereoPlayoutIsAvailable(bool* available) const {
  *available = true;
  return 0;
}

int32_t HeadlessAudioDevice::StereoPlayout(bool* enabled) const {
  *enabled = true;
  return 0;
}

int32_t HeadlessAudioDevice::StereoRecordingIsAvailable(bool* available) const {
  *available = false;
  return 0;
}

int32_t HeadlessAudioDevice::PlayoutDelay(uint16_t* delay_ms) const {
  *delay_ms = 0;
  return 0;
}

rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateHeadlessAudioDevice(webrtc::TaskQueueFactory* factory) {
  return rtc::make_ref_counted<HeadlessAudioDevice>(factory);
}

}  // namespace nlw
