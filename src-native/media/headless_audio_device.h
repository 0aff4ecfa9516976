// The audio device of a server: no sound card, no microphone.
//
// libwebrtc decodes remote audio only when the audio device pulls playout
// (AudioTransport::NeedMorePlayData -> the mixer -> each receive channel, which hands the decoded
// PCM to the remote track's sinks). While playout is started this device pulls 10 ms of 48 kHz
// stereo every 10 ms on a thread of its own (created on the first StartPlayout) and plays
// nothing. It records nothing: StartRecording succeeds, so that libwebrtc's audio state is
// satisfied, but no data is ever delivered (recorded data would be sent on every audio send
// stream; local tracks feed their streams through their own sources' sinks instead).
//
// webrtc::TestAudioDeviceModule is not used: its StartRecording RTC_CHECKs a capturer (and a
// capturer would send its data on every send stream), and it ticks from Init() on, even with
// nothing to play.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "api/scoped_refptr.h"
#include "api/task_queue/task_queue_base.h"
#include "api/task_queue/task_queue_factory.h"
#include "modules/audio_device/include/audio_device.h"
#include "modules/audio_device/include/audio_device_default.h"
#include "rtc_base/synchronization/mutex.h"

namespace nlw {

class HeadlessAudioDevice
    : public webrtc::webrtc_impl::AudioDeviceModuleDefault<webrtc::AudioDeviceModule> {
 public:
  static constexpr int kSampleRate = 48000;
  static constexpr size_t kChannels = 2;
  static constexpr size_t kFramesPer10Ms = kSampleRate / 100;

  explicit HeadlessAudioDevice(webrtc::TaskQueueFactory* task_queue_factory);
  ~HeadlessAudioDevice() override;

  // Any thread. Stops pulling for good and joins the playout thread: for a process that exits
  // without destroying the factory that holds this device.
  void Halt();

  // webrtc::AudioDeviceModule
  int32_t RegisterAudioCallback(webrtc::AudioTransport* transport) override;
  int32_t Init() override;
  int32_t Terminate() override;
  bool Initialized() const override;
  int32_t PlayoutIsAvailable(bool* available) override;
  int32_t InitPlayout() override;
  bool PlayoutIsInitialized() const override;
  int32_t StartPlayout() override;
  int32_t StopPlayout() override;
  bool Playing() const override;
  int32_t RecordingIsAvailable(bool* available) override;
  int32_t InitRecording() override;
  bool RecordingIsInitialized() const override;
  int32_t StartRecording() override;
  int32_t StopRecording() override;
  bool Recording() const override;
  int32_t StereoPlayoutIsAvailable(bool* available) const override;
  int32_t StereoPlayout(bool* enabled) const override;
  int32_t StereoRecordingIsAvailable(bool* available) const override;
  int32_t PlayoutDelay(uint16_t* delay_ms) const override;

 private:
  void Pull(uint64_t generation);  // playout queue

  webrtc::TaskQueueFactory* const task_queue_factory_;
  mutable webrtc::Mutex mu_;  // held while pulling, so StopPlayout waits for a pull in progress
  webrtc::AudioTransport* transport_ = nullptr;
  bool initialized_ = false, playout_initialized_ = false, playing_ = false;
  bool recording_initialized_ = false, recording_ = false, halted_ = false;
  uint64_t generation_ = 0;  // a StartPlayout's pull chain runs while it is current
  int64_t next_pull_us_ = 0;
  std::vector<int16_t> buffer_;
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> queue_;  // under mu_ to set
};

// The device for one PeerConnectionFactory.
rtc::scoped_refptr<webrtc::AudioDeviceModule> CreateHeadlessAudioDevice(webrtc::TaskQueueFactory* factory);

}  // namespace nlw
